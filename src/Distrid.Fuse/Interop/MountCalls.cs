using System.Runtime.InteropServices;

namespace Distrid.Fuse.Interop;

/// <summary>mount(2), umount2(2) and stat(2) returning errno values instead of throwing.</summary>
internal static unsafe class MountCalls
{
    /// <summary>Returns 0 or the errno of mount(2).</summary>
    public static int Mount(string source, string target, string type, ulong flags, string data) =>
        Libc.Mount(source, target, type, flags, data) == 0 ? 0 : Marshal.GetLastPInvokeError();

    /// <summary>Returns 0 or the errno of umount2(2) with MNT_DETACH.</summary>
    public static int DetachUnmount(string target) =>
        Libc.Umount2(target, Libc.MntDetach) == 0 ? 0 : Marshal.GetLastPInvokeError();

    /// <summary>Returns 0 or the errno of umount2(2) without flags: EBUSY while anything under it is open, mapped or
    /// some process's working directory or root.</summary>
    public static int Unmount(string target) =>
        Libc.Umount2(target, 0) == 0 ? 0 : Marshal.GetLastPInvokeError();

    /// <summary>Returns 0 when stat(2) succeeds, else its errno (ENOTCONN for a mount whose server is gone).</summary>
    public static int StatErrno(string path)
    {
        // struct stat is 144 bytes on x86-64 and 128 on arm64; only the result matters here.
        byte* buffer = stackalloc byte[256];
        return Libc.Stat(path, buffer) == 0 ? 0 : Marshal.GetLastPInvokeError();
    }

    /// <summary>
    /// Returns 0 when statfs(2) succeeds, else its errno. Unlike stat, FUSE answers statfs from the server every
    /// time (never from cached attributes), so a dead connection reliably shows as ENOTCONN.
    /// </summary>
    public static int StatfsErrno(string path)
    {
        byte* buffer = stackalloc byte[256];
        return Libc.Statfs(path, buffer) == 0 ? 0 : Marshal.GetLastPInvokeError();
    }

    public static bool IsRoot => Libc.GetEuid() == 0;

    public static uint EffectiveUserId => Libc.GetEuid();

    public static uint EffectiveGroupId => Libc.GetEgid();
}
