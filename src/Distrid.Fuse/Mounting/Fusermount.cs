using System.Diagnostics;
using System.Globalization;
using Distrid.Fuse.Interop;

namespace Distrid.Fuse.Mounting;

/// <summary>
/// The unprivileged route: fusermount3 (setuid root) opens /dev/fuse, mounts, and hands the fd back over a
/// socketpair named by _FUSE_COMMFD.
/// </summary>
internal static class Fusermount
{
    private const string Program = "fusermount3";

    public static int Mount(string mountpoint, string options)
    {
        FdPassing.CreateSocketPair(out int ours, out int theirs);
        try
        {
            var start = new ProcessStartInfo(Program) { RedirectStandardError = true, UseShellExecute = false };
            start.ArgumentList.Add("-o");
            start.ArgumentList.Add(options);
            start.ArgumentList.Add("--");
            start.ArgumentList.Add(mountpoint);
            // .NET does not close inherited descriptors in the child, so the non-CLOEXEC end survives exec.
            start.Environment["_FUSE_COMMFD"] = theirs.ToString(CultureInfo.InvariantCulture);

            using Process process = Process.Start(start) ?? throw new FuseException($"cannot start {Program}");
            FdPassing.Close(theirs);
            theirs = -1;
            int fd = FdPassing.ReceiveFd(ours);
            string error = process.StandardError.ReadToEnd();
            process.WaitForExit();
            if (fd < 0 || process.ExitCode != 0)
            {
                FdPassing.Close(fd);
                throw new FuseException($"{Program} failed to mount {mountpoint} (exit {process.ExitCode}): {error.Trim()}");
            }

            FdPassing.SetCloseOnExec(fd);
            return fd;
        }
        finally
        {
            FdPassing.Close(ours);
            FdPassing.Close(theirs);
        }
    }

    /// <summary>fusermount3 -u -z: lazy unmount of a mount the caller owns.</summary>
    public static void Unmount(string mountpoint)
    {
        var start = new ProcessStartInfo(Program) { RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add("-u");
        start.ArgumentList.Add("-z");
        start.ArgumentList.Add("--");
        start.ArgumentList.Add(mountpoint);
        using Process process = Process.Start(start) ?? throw new FuseException($"cannot start {Program}");
        string error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new FuseException($"{Program} -uz {mountpoint} failed (exit {process.ExitCode}): {error.Trim()}");
        }
    }
}
