using System.Runtime.InteropServices;

namespace Distri.Core.Tests.Support;

/// <summary>libc calls the writer tests need to build source trees that .NET cannot make (devices, owners, xattrs).</summary>
internal static unsafe partial class WriterNativeCalls
{
    private const int AtFdCwd = -100;
    private const int AtSymlinkNoFollow = 0x100;

    [LibraryImport("libc", EntryPoint = "link", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int LinkNative(string existing, string newPath);

    [LibraryImport("libc", EntryPoint = "mknod", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int MknodNative(string path, uint mode, ulong device);

    [LibraryImport("libc", EntryPoint = "lchown", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int LchownNative(string path, uint uid, uint gid);

    [LibraryImport("libc", EntryPoint = "chmod", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int ChmodNative(string path, uint mode);

    [LibraryImport("libc", EntryPoint = "lsetxattr", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int LsetxattrNative(string path, string name, byte* value, nuint size, int flags);

    [LibraryImport("libc", EntryPoint = "utimensat", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int UtimensatNative(int dirfd, string path, long* times, int flags);

    public static void Link(string existing, string newPath) => Check(LinkNative(existing, newPath), "link", newPath);

    /// <summary>mknod with glibc's makedev encoding of (major, minor).</summary>
    public static void Mknod(string path, uint typeBits, uint permissions, uint major, uint minor)
    {
        ulong device = ((ulong)(major & 0xFFFFF000) << 32) | ((ulong)(major & 0xFFF) << 8)
            | ((ulong)(minor & 0xFFFFFF00) << 12) | (minor & 0xFF);
        Check(MknodNative(path, typeBits | permissions, device), "mknod", path);
    }

    public static void Lchown(string path, uint uid, uint gid) => Check(LchownNative(path, uid, gid), "lchown", path);

    public static void Chmod(string path, uint mode) => Check(ChmodNative(path, mode), "chmod", path);

    public static void SetXattr(string path, string name, byte[] value)
    {
        fixed (byte* p = value)
        {
            Check(LsetxattrNative(path, name, p, (nuint)value.Length, 0), "lsetxattr " + name, path);
        }
    }

    /// <summary>Sets atime and mtime (whole seconds) without following a symlink.</summary>
    public static void SetModificationTime(string path, long seconds)
    {
        long* times = stackalloc long[4] { seconds, 0, seconds, 0 };
        Check(UtimensatNative(AtFdCwd, path, times, AtSymlinkNoFollow), "utimensat", path);
    }

    private static void Check(int rc, string what, string path)
    {
        if (rc != 0)
        {
            throw new IOException($"{what} {path}: {Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())}");
        }
    }
}
