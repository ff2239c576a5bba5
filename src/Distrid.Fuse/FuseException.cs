namespace Distrid.Fuse;

/// <summary>A system call of the FUSE layer failed (mount, open /dev/fuse, clone, unmount ...).</summary>
public sealed class FuseException : IOException
{
    public FuseException(int errno, string operation)
        : base($"{operation}: {Describe(errno)} (errno {errno})")
    {
        Errno = errno;
        Operation = operation;
    }

    public FuseException(string message)
        : base(message)
    {
        Operation = string.Empty;
    }

    public FuseException(string message, Exception innerException)
        : base(message, innerException)
    {
        Operation = string.Empty;
    }

    public FuseException()
        : this("FUSE operation failed")
    {
    }

    /// <summary>The errno of the failed call, or 0 when it was not a system call.</summary>
    public int Errno { get; }

    public string Operation { get; }

    private static string Describe(int errno) => new System.ComponentModel.Win32Exception(errno).Message;
}
