namespace Distrid.Tests.Systemd;

/// <summary>
/// Starts a program the way systemd does with LISTEN_FDS: .NET's Process cannot pass arbitrary descriptors, so a
/// tiny python3 launcher copies them out of the test process with pidfd_getfd(2) (same open file, as with
/// SCM_RIGHTS; nothing is inherited by unrelated children), moves them to 3.., sets LISTEN_FDS, LISTEN_FDNAMES and
/// LISTEN_PID to its own pid, and execs the program (which keeps that pid).
/// </summary>
public static class ListenFdsLauncher
{
    public const string Python = "/usr/bin/python3";

    private const string Script = """
        import ctypes, fcntl, os, sys
        owner, fds, names, command = int(sys.argv[1]), [int(f) for f in sys.argv[2].split(",") if f], sys.argv[3], sys.argv[4:]
        libc = ctypes.CDLL(None, use_errno=True)
        libc.syscall.restype = ctypes.c_long
        pidfd = os.pidfd_open(owner)
        copies = []
        for fd in fds:
            got = libc.syscall(ctypes.c_long(438), ctypes.c_long(pidfd), ctypes.c_long(fd), ctypes.c_long(0))  # pidfd_getfd
            if got < 0:
                err = ctypes.get_errno()
                raise OSError(err, os.strerror(err), "pidfd_getfd")
            copies.append(fcntl.fcntl(got, fcntl.F_DUPFD_CLOEXEC, 100))
            os.close(got)
        os.close(pidfd)
        for i, fd in enumerate(copies):
            os.dup2(fd, 3 + i, inheritable=True)
            os.close(fd)
        os.environ["LISTEN_FDS"] = str(len(copies))
        os.environ["LISTEN_FDNAMES"] = names
        os.environ["LISTEN_PID"] = str(os.getpid())
        os.execvp(command[0], command)
        """;

    /// <summary>Writes the launcher into <paramref name="directory"/> and returns its path.</summary>
    public static string WriteTo(string directory)
    {
        string path = Path.Combine(directory, "listen-fds-launcher.py");
        File.WriteAllText(path, Script);
        return path;
    }
}
