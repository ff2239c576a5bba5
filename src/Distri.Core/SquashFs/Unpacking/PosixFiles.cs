using System.Runtime.InteropServices;
using System.Text;
using Tmds.Linux;

namespace Distri.Core.SquashFs.Unpacking;

/// <summary>
/// The file-system calls the unpacker needs, on NUL-terminated byte paths (image names are bytes, not necessarily
/// UTF-8). Tmds.LibC covers most; the l*xattr calls it lacks are bound here. Failures throw <see cref="IOException"/>
/// with the errno text.
/// </summary>
internal static unsafe partial class PosixFiles
{
    public const int AtFdCwd = -100;
    public const int AtSymlinkNoFollow = 0x100;
    public const int ErrnoNoData = 61;
    public const int ErrnoNotSupported = 95;
    public const int ErrnoRange = 34;

    [LibraryImport("libc", EntryPoint = "lsetxattr", SetLastError = true)]
    private static partial int LSetXattr(byte* path, byte* name, byte* value, nuint size, int flags);

    [LibraryImport("libc", EntryPoint = "fsetxattr", SetLastError = true)]
    private static partial int FSetXattr(int fd, byte* name, byte* value, nuint size, int flags);

    [LibraryImport("libc", EntryPoint = "llistxattr", SetLastError = true)]
    private static partial nint LListXattr(byte* path, byte* list, nuint size);

    [LibraryImport("libc", EntryPoint = "lgetxattr", SetLastError = true)]
    private static partial nint LGetXattr(byte* path, byte* name, byte* value, nuint size);

    /// <summary>A NUL-terminated copy of a path for the C calls.</summary>
    public static byte[] CString(ReadOnlySpan<byte> path)
    {
        byte[] bytes = new byte[path.Length + 1];
        path.CopyTo(bytes);
        return bytes;
    }

    public static byte[] CString(string path) => CString(Encoding.UTF8.GetBytes(path));

    public static void SetXattr(byte[] path, string name, ReadOnlySpan<byte> value)
    {
        byte[] cname = CString(name);
        fixed (byte* p = path)
        fixed (byte* n = cname)
        fixed (byte* v = value)
        {
            Check(LSetXattr(p, n, v, (nuint)value.Length, 0), "lsetxattr", path);
        }
    }

    public static void SetXattr(int fd, byte[] path, string name, ReadOnlySpan<byte> value)
    {
        byte[] cname = CString(name);
        fixed (byte* n = cname)
        fixed (byte* v = value)
        {
            Check(FSetXattr(fd, n, v, (nuint)value.Length, 0), "fsetxattr", path);
        }
    }

    /// <summary>All xattrs of a path (not following a final symlink), sorted by name.</summary>
    public static SortedDictionary<string, byte[]> GetXattrs(byte[] path)
    {
        var result = new SortedDictionary<string, byte[]>(StringComparer.Ordinal);
        byte[] list = new byte[65536];
        nint length;
        fixed (byte* p = path)
        fixed (byte* l = list)
        {
            length = LListXattr(p, l, (nuint)list.Length);
        }

        if (length < 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            if (errno == ErrnoNotSupported)
            {
                return result;
            }

            throw Error("llistxattr", path, errno);
        }

        foreach (string name in Encoding.UTF8.GetString(list, 0, (int)length).Split('\0', StringSplitOptions.RemoveEmptyEntries))
        {
            byte[] value = new byte[65536];
            byte[] cname = CString(name);
            nint size;
            fixed (byte* p = path)
            fixed (byte* n = cname)
            fixed (byte* v = value)
            {
                size = LGetXattr(p, n, v, (nuint)value.Length);
            }

            if (size < 0)
            {
                throw Error("lgetxattr", path, Marshal.GetLastPInvokeError());
            }

            result[name] = value.AsSpan(0, (int)size).ToArray();
        }

        return result;
    }

    public static void MakeDirectory(byte[] path, uint mode)
    {
        fixed (byte* p = path)
        {
            Check(LibC.mkdir(p, (mode_t)mode), "mkdir", path);
        }
    }

    public static void MakeSymlink(byte[] target, byte[] path)
    {
        fixed (byte* t = target)
        fixed (byte* p = path)
        {
            Check(LibC.symlink(t, p), "symlink", path);
        }
    }

    public static void MakeNode(byte[] path, uint mode, ulong device)
    {
        fixed (byte* p = path)
        {
            Check(LibC.mknod(p, (mode_t)mode, (dev_t)device), "mknod", path);
        }
    }

    public static void MakeHardLink(byte[] existing, byte[] path)
    {
        fixed (byte* e = existing)
        fixed (byte* p = path)
        {
            Check(LibC.link(e, p), "link", path);
        }
    }

    public static void ChangeOwner(byte[] path, uint uid, uint gid)
    {
        fixed (byte* p = path)
        {
            Check(LibC.lchown(p, uid, gid), "lchown", path);
        }
    }

    public static void ChangeMode(byte[] path, uint mode)
    {
        fixed (byte* p = path)
        {
            Check(LibC.chmod(p, (mode_t)mode), "chmod", path);
        }
    }

    public static void ChangeOwner(int fd, byte[] path, uint uid, uint gid) => Check(LibC.fchown(fd, uid, gid), "fchown", path);

    public static void ChangeMode(int fd, byte[] path, uint mode) => Check(LibC.fchmod(fd, (mode_t)mode), "fchmod", path);

    /// <summary>Sets atime and mtime (whole seconds) of an open file.</summary>
    public static void SetTimes(int fd, byte[] path, long seconds)
    {
        timespec* times = stackalloc timespec[2];
        times[0].tv_sec = seconds;
        times[0].tv_nsec = 0;
        times[1] = times[0];
        Check(LibC.futimens(fd, times), "futimens", path);
    }

    /// <summary>Sets atime and mtime (whole seconds) without following a final symlink.</summary>
    public static void SetTimes(byte[] path, long seconds)
    {
        timespec* times = stackalloc timespec[2];
        times[0].tv_sec = seconds;
        times[0].tv_nsec = 0;
        times[1] = times[0];
        fixed (byte* p = path)
        {
            Check(LibC.utimensat(AtFdCwd, p, times, AtSymlinkNoFollow), "utimensat", path);
        }
    }

    /// <summary>lstat(2): type and permission bits, owner, size, times, inode and device numbers.</summary>
    public static stat LStat(byte[] path)
    {
        stat result;
        fixed (byte* p = path)
        {
            Check(LibC.lstat(p, &result), "lstat", path);
        }

        return result;
    }

    public static byte[] ReadLink(byte[] path)
    {
        byte[] buffer = new byte[4097];
        nint length;
        fixed (byte* p = path)
        fixed (byte* b = buffer)
        {
            length = (nint)LibC.readlink(p, b, (size_t)buffer.Length);
        }

        if (length < 0)
        {
            throw Error("readlink", path, Marshal.GetLastPInvokeError());
        }

        return buffer.AsSpan(0, (int)length).ToArray();
    }

    private static void Check(int result, string call, byte[] path)
    {
        if (result != 0)
        {
            throw Error(call, path, Marshal.GetLastPInvokeError());
        }
    }

    private static IOException Error(string call, byte[] path, int errno) =>
        new($"{call} {Encoding.UTF8.GetString(path).TrimEnd('\0')}: {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno})");
}
