using System.Runtime.InteropServices;

namespace Distrid.Fuse.Interop;

/// <summary>
/// io_uring_setup(2), io_uring_enter(2) and the mmap(2) of a ring's shared memory, as raw syscalls (glibc has no
/// wrappers). Results are the raw return values; failures are negative errno values.
/// </summary>
internal static unsafe partial class IoUringCalls
{
    // The generic syscall table (x86-64 and arm64 share these numbers).
    private const nint SysIoUringSetup = 425;
    private const nint SysIoUringEnter = 426;

    public const uint SetupCoopTaskrun = 1U << 8;
    public const uint SetupSqe128 = 1U << 10;
    public const uint SetupSingleIssuer = 1U << 12;
    public const uint SetupDeferTaskrun = 1U << 13;

    public const uint EnterGetEvents = 1U << 0;

    public const uint FeatureSingleMmap = 1U << 0;

    public const long OffsetSqRing = 0;
    public const long OffsetCqRing = 0x8000000;
    public const long OffsetSqes = 0x10000000;

    public const byte OpUringCmd = 46;

    private const int ProtRead = 1;
    private const int ProtWrite = 2;
    private const int MapShared = 1;
    private const int MapPopulate = 0x8000;

    /// <summary>struct io_uring_params (120 bytes): what setup is asked for and where the kernel put the rings.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct Params
    {
        public uint SqEntries;
        public uint CqEntries;
        public uint Flags;
        public uint SqThreadCpu;
        public uint SqThreadIdle;
        public uint Features;
        public uint WqFd;
        public uint Reserved0;
        public uint Reserved1;
        public uint Reserved2;

        // struct io_sqring_offsets
        public uint SqHead;
        public uint SqTail;
        public uint SqRingMask;
        public uint SqRingEntries;
        public uint SqFlags;
        public uint SqDropped;
        public uint SqArray;
        public uint SqReserved;
        public ulong SqUserAddress;

        // struct io_cqring_offsets
        public uint CqHead;
        public uint CqTail;
        public uint CqRingMask;
        public uint CqRingEntries;
        public uint CqOverflow;
        public uint CqCqes;
        public uint CqFlags;
        public uint CqReserved;
        public ulong CqUserAddress;
    }

    /// <summary>Returns the ring descriptor or a negative errno.</summary>
    public static int Setup(uint entries, ref Params parameters)
    {
        fixed (Params* p = &parameters)
        {
            nint fd = Syscall(SysIoUringSetup, (nint)entries, (nint)p, 0, 0, 0, 0);
            return fd < 0 ? -Marshal.GetLastPInvokeError() : (int)fd;
        }
    }

    /// <summary>Returns the number of entries submitted or a negative errno.</summary>
    public static int Enter(int fd, uint toSubmit, uint minComplete, uint flags)
    {
        nint n = Syscall(SysIoUringEnter, fd, (nint)toSubmit, (nint)minComplete, (nint)flags, 0, 0);
        return n < 0 ? -Marshal.GetLastPInvokeError() : (int)n;
    }

    /// <summary>Maps <paramref name="length"/> bytes of the ring at <paramref name="offset"/>; null on failure.</summary>
    public static byte* Map(int fd, nuint length, long offset)
    {
        nint address = MemoryMap(0, length, ProtRead | ProtWrite, MapShared | MapPopulate, fd, offset);
        return address == -1 ? null : (byte*)address;
    }

    public static void Unmap(byte* address, nuint length)
    {
        if (address != null)
        {
            _ = MemoryUnmap((nint)address, length);
        }
    }

    [LibraryImport("libc", EntryPoint = "syscall", SetLastError = true)]
    private static partial nint Syscall(nint number, nint a1, nint a2, nint a3, nint a4, nint a5, nint a6);

    [LibraryImport("libc", EntryPoint = "mmap", SetLastError = true)]
    private static partial nint MemoryMap(nint address, nuint length, int protection, int flags, int fd, long offset);

    [LibraryImport("libc", EntryPoint = "munmap", SetLastError = true)]
    private static partial int MemoryUnmap(nint address, nuint length);
}
