using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Distrid.FileSystem.Passthrough;

/// <summary>
/// The few libc calls the passthrough cache needs that .NET does not offer: the stamp extended attribute on a cache
/// file, and lowering the writer thread's CPU and I/O priority.
/// </summary>
internal static partial class CacheFileCalls
{
    /// <summary>
    /// The extended attribute that marks a cache file as written whole by this cache: its name and length. A file
    /// without it, or with another file's, is never served.
    /// </summary>
    public const string StampAttribute = "user.distrid.passthrough";

    private const int PrioProcess = 0;
    private const int IoprioWhoProcess = 1;
    private const int IoprioClassIdle = 3;
    private const int IoprioClassShift = 13;
    private const long SysIoprioSet = 251; // x86_64; other architectures fail with ENOSYS and keep the I/O class
    private const long SysGettid = 186;

    /// <summary>Sets the stamp on an open cache file; returns 0 or an errno (ENOTSUP: no user xattrs there).</summary>
    public static int SetStamp(SafeFileHandle file, ReadOnlySpan<byte> stamp)
    {
        unsafe
        {
            fixed (byte* value = stamp)
            {
                return FSetXattr(file, StampAttribute, value, (nuint)stamp.Length, 0) == 0 ? 0 : Marshal.GetLastPInvokeError();
            }
        }
    }

    /// <summary>Whether the open file carries exactly <paramref name="expected"/> as its stamp.</summary>
    public static bool HasStamp(SafeFileHandle file, ReadOnlySpan<byte> expected)
    {
        Span<byte> value = stackalloc byte[256];
        unsafe
        {
            fixed (byte* buffer = value)
            {
                nint length = FGetXattr(file, StampAttribute, buffer, (nuint)value.Length);
                return length == expected.Length && value[..(int)length].SequenceEqual(expected);
            }
        }
    }

    /// <summary>Makes the calling thread the last in line for CPU (nice 19) and disk (idle I/O class).</summary>
    public static void LowerCurrentThreadPriority()
    {
        if (OperatingSystem.IsLinux() && RuntimeInformation.ProcessArchitecture == Architecture.X64)
        {
            int tid = (int)Syscall(SysGettid, 0, 0, 0);
            SetPriority(PrioProcess, tid, 19);
            Syscall(SysIoprioSet, IoprioWhoProcess, tid, IoprioClassIdle << IoprioClassShift);
        }
    }

    [LibraryImport("libc", EntryPoint = "fsetxattr", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static unsafe partial int FSetXattr(SafeFileHandle fd, string name, byte* value, nuint size, int flags);

    [LibraryImport("libc", EntryPoint = "fgetxattr", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static unsafe partial nint FGetXattr(SafeFileHandle fd, string name, byte* value, nuint size);

    [LibraryImport("libc", EntryPoint = "setpriority", SetLastError = true)]
    private static partial int SetPriority(int which, int who, int priority);

    [LibraryImport("libc", EntryPoint = "syscall", SetLastError = true)]
    private static partial long Syscall(long number, long a, long b, long c);
}
