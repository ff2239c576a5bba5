using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;

namespace Distri.Core.Tests.Support;

/// <summary>What lstat says about one path (from statx, whose layout is the same on every architecture).</summary>
public readonly record struct NativeFileStatus(
    uint Mode, uint Uid, uint Gid, ulong Inode, uint LinkCount, ulong Size, long ModificationTimeSeconds, uint RdevMajor, uint RdevMinor)
{
    public uint Type => Mode & 0xF000;
}

/// <summary>
/// The libc calls the test support needs to build and inspect trees that .NET cannot (devices, owners, xattrs,
/// hard links, lstat). Test-owned on purpose: the oracle must not share code with the readers and writers it checks.
/// </summary>
public static unsafe partial class NativeCalls
{
    private const int AtFdCwd = -100;
    private const int AtSymlinkNoFollow = 0x100;
    private const uint StatxBasicStats = 0x7FF;
    private const int Erange = 34;

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

    [LibraryImport("libc", EntryPoint = "statx", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int StatxNative(int dirfd, string path, int flags, uint mask, byte* buffer);

    [LibraryImport("libc", EntryPoint = "readlink", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial nint ReadlinkNative(string path, byte* buffer, nuint size);

    [LibraryImport("libc", EntryPoint = "llistxattr", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial nint LlistxattrNative(string path, byte* buffer, nuint size);

    [LibraryImport("libc", EntryPoint = "lgetxattr", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial nint LgetxattrNative(string path, string name, byte* buffer, nuint size);

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

    /// <summary>lstat: never follows a symlink.</summary>
    public static NativeFileStatus LStat(string path)
    {
        byte* buffer = stackalloc byte[256];
        Check(StatxNative(AtFdCwd, path, AtSymlinkNoFollow, StatxBasicStats, buffer), "statx", path);
        var statx = new ReadOnlySpan<byte>(buffer, 256);
        return new NativeFileStatus(
            Mode: BinaryPrimitives.ReadUInt16LittleEndian(statx[28..]),
            Uid: BinaryPrimitives.ReadUInt32LittleEndian(statx[20..]),
            Gid: BinaryPrimitives.ReadUInt32LittleEndian(statx[24..]),
            Inode: BinaryPrimitives.ReadUInt64LittleEndian(statx[32..]),
            LinkCount: BinaryPrimitives.ReadUInt32LittleEndian(statx[16..]),
            Size: BinaryPrimitives.ReadUInt64LittleEndian(statx[40..]),
            ModificationTimeSeconds: BinaryPrimitives.ReadInt64LittleEndian(statx[112..]),
            RdevMajor: BinaryPrimitives.ReadUInt32LittleEndian(statx[128..]),
            RdevMinor: BinaryPrimitives.ReadUInt32LittleEndian(statx[132..]));
    }

    /// <summary>A symlink's target as raw bytes (Linux caps targets at 4,095 bytes).</summary>
    public static byte[] ReadLink(string path)
    {
        byte[] target = new byte[4096];
        fixed (byte* p = target)
        {
            nint length = ReadlinkNative(path, p, (nuint)target.Length);
            Check(length < 0 ? -1 : 0, "readlink", path);
            return target[..(int)length];
        }
    }

    /// <summary>Every xattr of the path itself (not a symlink's target), sorted by name.</summary>
    public static SortedDictionary<string, byte[]> GetXattrs(string path)
    {
        var result = new SortedDictionary<string, byte[]>(StringComparer.Ordinal);
        byte[] names = Query(path, "llistxattr", (p, size) => LlistxattrNative(path, p, size));
        foreach (string name in Encoding.UTF8.GetString(names).Split('\0', StringSplitOptions.RemoveEmptyEntries))
        {
            result[name] = Query(path, "lgetxattr " + name, (p, size) => LgetxattrNative(path, name, p, size));
        }

        return result;
    }

    private delegate nint SizedQuery(byte* buffer, nuint size);

    /// <summary>Asks for the size, then the bytes; asks again when the value grew in between (ERANGE).</summary>
    private static byte[] Query(string path, string what, SizedQuery query)
    {
        while (true)
        {
            nint size = query(null, 0);
            Check(size < 0 ? -1 : 0, what, path);
            byte[] buffer = new byte[size];
            fixed (byte* p = buffer)
            {
                nint got = query(p, (nuint)buffer.Length);
                if (got < 0 && Marshal.GetLastPInvokeError() == Erange)
                {
                    continue;
                }

                Check(got < 0 ? -1 : 0, what, path);
                return buffer[..(int)got];
            }
        }
    }

    private static void Check(int rc, string what, string path)
    {
        if (rc != 0)
        {
            throw new IOException($"{what} {path}: {Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())}");
        }
    }
}
