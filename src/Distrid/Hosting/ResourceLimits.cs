using System.Runtime.InteropServices;

namespace Distrid.Hosting;

/// <summary>Process limits the daemon needs: many images open at once means many file descriptors.</summary>
internal static unsafe partial class ResourceLimits
{
    private const int RlimitNoFile = 7;

    /// <summary>Raises the soft RLIMIT_NOFILE to the hard limit (systemd's default soft limit is 1024).</summary>
    public static void RaiseOpenFileLimit()
    {
        Rlimit limit;
        if (GetRlimit(RlimitNoFile, &limit) == 0 && limit.Current < limit.Maximum)
        {
            limit.Current = limit.Maximum;
            _ = SetRlimit(RlimitNoFile, &limit);
        }
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct Rlimit
    {
        public ulong Current;
        public ulong Maximum;
    }

    [LibraryImport("libc", EntryPoint = "getrlimit")]
    private static partial int GetRlimit(int resource, Rlimit* limit);

    [LibraryImport("libc", EntryPoint = "setrlimit")]
    private static partial int SetRlimit(int resource, Rlimit* limit);
}
