using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;

namespace Distri.Core.Interop;

/// <summary>What lstat says about one path (symlinks are not followed).</summary>
internal readonly record struct LinuxFileStatus(
    uint Mode,
    uint Uid,
    uint Gid,
    uint LinkCount,
    long Size,
    ulong Inode,
    uint DeviceMajor,
    uint DeviceMinor,
    uint RdevMajor,
    uint RdevMinor,
    long ModificationTimeSeconds);

/// <summary>
/// The few Linux file calls the scanner needs and Tmds.LibC does not offer byte-exact (statx, readlink, xattrs).
/// statx is used because its struct layout is fixed on every architecture, unlike struct stat.
/// </summary>
internal static unsafe partial class LinuxFiles
{
    private const string LibC = "libc";
    private const int AtFdCwd = -100;
    private const int AtSymlinkNoFollow = 0x100;
    private const uint StatxBasicStats = 0x7ff;
    private const int StatxBufferSize = 256;
    public const int ENODATA = 61;
    public const int ERANGE = 34;
    public const int ENOTSUP = 95;

    [LibraryImport(LibC, EntryPoint = "statx", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Statx(int dirfd, string path, int flags, uint mask, byte* buffer);

    [LibraryImport(LibC, EntryPoint = "readlink", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial nint ReadLink(string path, byte* buffer, nuint size);

    [LibraryImport(LibC, EntryPoint = "llistxattr", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial nint LListXattr(string path, byte* list, nuint size);

    [LibraryImport(LibC, EntryPoint = "lgetxattr", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial nint LGetXattr(string path, string name, byte* value, nuint size);

    [LibraryImport(LibC, EntryPoint = "access", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Access(string path, int mode);

    /// <summary>Checks that the caller may read <paramref name="path"/> without opening it (one syscall, no fd).</summary>
    public static void CheckReadable(string path)
    {
        const int ReadOk = 4;
        if (Access(path, ReadOk) != 0)
        {
            throw Error("cannot read", path, Marshal.GetLastPInvokeError());
        }
    }

    /// <summary>lstat through statx; throws <see cref="IOException"/> naming the path on failure.</summary>
    public static LinuxFileStatus LStat(string path)
    {
        byte* buffer = stackalloc byte[StatxBufferSize];
        if (Statx(AtFdCwd, path, AtSymlinkNoFollow, StatxBasicStats, buffer) != 0)
        {
            throw Error("cannot stat", path, Marshal.GetLastPInvokeError());
        }

        var s = new ReadOnlySpan<byte>(buffer, StatxBufferSize);
        return new LinuxFileStatus(
            Mode: BinaryPrimitives.ReadUInt16LittleEndian(s[28..]),
            Uid: BinaryPrimitives.ReadUInt32LittleEndian(s[20..]),
            Gid: BinaryPrimitives.ReadUInt32LittleEndian(s[24..]),
            LinkCount: BinaryPrimitives.ReadUInt32LittleEndian(s[16..]),
            Size: BinaryPrimitives.ReadInt64LittleEndian(s[40..]),
            Inode: BinaryPrimitives.ReadUInt64LittleEndian(s[32..]),
            DeviceMajor: BinaryPrimitives.ReadUInt32LittleEndian(s[136..]),
            DeviceMinor: BinaryPrimitives.ReadUInt32LittleEndian(s[140..]),
            RdevMajor: BinaryPrimitives.ReadUInt32LittleEndian(s[128..]),
            RdevMinor: BinaryPrimitives.ReadUInt32LittleEndian(s[132..]),
            ModificationTimeSeconds: BinaryPrimitives.ReadInt64LittleEndian(s[112..]));
    }

    /// <summary>The raw bytes of a symlink's target.</summary>
    public static byte[] ReadLinkBytes(string path)
    {
        // PATH_MAX is 4096; one more byte tells a truncated target apart.
        byte* buffer = stackalloc byte[4097];
        nint length = ReadLink(path, buffer, 4097);
        if (length < 0)
        {
            throw Error("cannot read symlink", path, Marshal.GetLastPInvokeError());
        }

        return new ReadOnlySpan<byte>(buffer, (int)length).ToArray();
    }

    /// <summary>All xattr names of a path (not following symlinks); empty when the file system has none.</summary>
    public static List<string> ListXattrs(string path)
    {
        var names = new List<string>();
        while (true)
        {
            nint size = LListXattr(path, null, 0);
            if (size < 0)
            {
                int errno = Marshal.GetLastPInvokeError();
                if (errno == ENOTSUP)
                {
                    return names;
                }

                throw Error("cannot list xattrs of", path, errno);
            }

            if (size == 0)
            {
                return names;
            }

            byte[] list = new byte[size];
            fixed (byte* p = list)
            {
                nint got = LListXattr(path, p, (nuint)list.Length);
                if (got < 0)
                {
                    int errno = Marshal.GetLastPInvokeError();
                    if (errno == ERANGE)
                    {
                        continue; // the list grew between the two calls
                    }

                    throw Error("cannot list xattrs of", path, errno);
                }

                foreach (var range in new ReadOnlySpan<byte>(p, (int)got).Split((byte)0))
                {
                    var name = list.AsSpan(range);
                    if (!name.IsEmpty)
                    {
                        names.Add(Encoding.UTF8.GetString(name));
                    }
                }

                return names;
            }
        }
    }

    /// <summary>One xattr value, or null when it vanished since it was listed.</summary>
    public static byte[]? GetXattr(string path, string name)
    {
        while (true)
        {
            nint size = LGetXattr(path, name, null, 0);
            if (size < 0)
            {
                int errno = Marshal.GetLastPInvokeError();
                return errno == ENODATA ? null : throw Error($"cannot read xattr {name} of", path, errno);
            }

            byte[] value = new byte[size];
            fixed (byte* p = value)
            {
                nint got = LGetXattr(path, name, p, (nuint)value.Length);
                if (got >= 0)
                {
                    return got == value.Length ? value : value.AsSpan(0, (int)got).ToArray();
                }

                int errno = Marshal.GetLastPInvokeError();
                if (errno != ERANGE)
                {
                    return errno == ENODATA ? null : throw Error($"cannot read xattr {name} of", path, errno);
                }
            }
        }
    }

    private static IOException Error(string what, string path, int errno) =>
        new($"{what} {path}: {Marshal.GetPInvokeErrorMessage(errno)}");
}
