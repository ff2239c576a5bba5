namespace Distrid.Fuse.Protocol;

/// <summary>
/// Linux errno values a file system returns (negated) from <c>IFuseFileSystem</c> methods, and the FUSE layer
/// uses for its own replies. Linux x86-64/arm64 numbering.
/// </summary>
public static class Errno
{
    public const int EPERM = 1;
    public const int ENOENT = 2;
    public const int EINTR = 4;
    public const int EIO = 5;
    public const int EBADF = 9;
    public const int EAGAIN = 11;
    public const int ENOMEM = 12;
    public const int EACCES = 13;
    public const int EBUSY = 16;
    public const int EEXIST = 17;
    public const int ENODEV = 19;
    public const int ENOTDIR = 20;
    public const int EISDIR = 21;
    public const int EINVAL = 22;
    public const int EFBIG = 27;
    public const int EROFS = 30;
    public const int ERANGE = 34;
    public const int ENAMETOOLONG = 36;
    public const int ENOSYS = 38;
    public const int ENOTEMPTY = 39;
    public const int ELOOP = 40;
    public const int ENODATA = 61;
    public const int EPROTO = 71;
    public const int EOVERFLOW = 75;
    public const int ENOTSUP = 95;
    public const int ECONNABORTED = 103;
    public const int ENOTCONN = 107;
    public const int ESTALE = 116;
    public const int ECANCELED = 125;

    /// <summary>Builds the exception used for failed system calls outside the request hot path.</summary>
    internal static FuseException Exception(int errno, string operation) => new(errno, operation);
}
