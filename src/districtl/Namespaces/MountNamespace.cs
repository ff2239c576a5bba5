using System.Runtime.InteropServices;

namespace Districtl.Namespaces;

/// <summary>
/// The few system calls <c>run</c> needs: a mount namespace of the calling thread's own, and bind mounts in it.
/// unshare(CLONE_NEWNS) affects only the calling thread of a multi-threaded process (and what it starts), so the
/// caller does all of it, and starts the command, on one dedicated thread.
/// </summary>
internal static partial class MountNamespace
{
    private const int CloneNewNs = 0x0002_0000;
    private const ulong MsBind = 4096;
    private const ulong MsRec = 16384;
    private const ulong MsSlave = 1 << 19;
    public const int Eperm = 1;
    public const int Enoent = 2;

    /// <summary>
    /// Moves the calling thread into a new mount namespace whose mounts receive the host's changes but send none back
    /// (recursive slave), so what the caller mounts next is seen by it and its children only.
    /// </summary>
    public static void EnterPrivate()
    {
        if (Unshare(CloneNewNs) != 0)
        {
            throw new MountNamespaceException(Marshal.GetLastPInvokeError(), "cannot make a mount namespace");
        }

        if (Mount(null, "/", null, MsRec | MsSlave, 0) != 0)
        {
            throw new MountNamespaceException(Marshal.GetLastPInvokeError(), "cannot keep mounts from propagating to the host");
        }
    }

    /// <summary>Bind-mounts <paramref name="source"/> over <paramref name="target"/> in the calling thread's namespace.</summary>
    public static void Bind(string source, string target)
    {
        if (Mount(source, target, null, MsBind, 0) != 0)
        {
            throw new MountNamespaceException(Marshal.GetLastPInvokeError(), $"cannot bind {source} over {target}");
        }
    }

    /// <summary>kill(2), to pass a signal on to the command.</summary>
    public static void Signal(int pid, int signal) => _ = Kill(pid, signal);

    /// <summary>
    /// Waits up to <paramref name="timeoutMilliseconds"/> for the mount table behind <paramref name="mounts"/> (an open
    /// <c>/proc/.../mounts</c>) to change; true when it did. The kernel marks such a file exceptional (POLLPRI) after
    /// every mount or unmount in its namespace.
    /// </summary>
    public static bool WaitForMountChange(Microsoft.Win32.SafeHandles.SafeFileHandle mounts, int timeoutMilliseconds)
    {
        var fds = new PollFd { Fd = (int)mounts.DangerousGetHandle(), Events = PollPri | PollErr };
        int ready = Poll(ref fds, 1, timeoutMilliseconds);
        return ready > 0 && (fds.Revents & (PollPri | PollErr)) != 0;
    }

    private const short PollPri = 0x002;
    private const short PollErr = 0x008;

    [StructLayout(LayoutKind.Sequential)]
    private struct PollFd
    {
        public int Fd;
        public short Events;
        public short Revents;
    }

    [LibraryImport("libc", EntryPoint = "poll", SetLastError = true)]
    private static partial int Poll(ref PollFd fds, nuint count, int timeout);

    [LibraryImport("libc", EntryPoint = "unshare", SetLastError = true)]
    private static partial int Unshare(int flags);

    [LibraryImport("libc", EntryPoint = "mount", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Mount(string? source, string target, string? type, ulong flags, nint data);

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}

/// <summary>A failed namespace or mount call: <see cref="Errno"/> and one line that says what failed and why.</summary>
internal sealed class MountNamespaceException(int errno, string what)
    : Exception($"{what}: {Marshal.GetPInvokeErrorMessage(errno)}")
{
    public int Errno { get; } = errno;
}
