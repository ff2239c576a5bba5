using System.Diagnostics;
using Distrid.Tests.Support;

namespace Distrid.Tests.Systemd;

/// <summary>
/// The shipped unit sets MemoryDenyWriteExecute=yes for the Native AOT daemon: no memory of it may be writable and
/// executable, or become executable after it was writable. Without systemd: the daemon runs under the kernel's own
/// form of that rule (prctl PR_SET_MDWE, PR_MDWE_REFUSE_EXEC_GAIN, inherited across exec). The Native AOT daemon
/// (scripts/test.sh's second pass, DISTRID_DAEMON) must start and serve /ro; the JIT build must not start, which is
/// why packaging/build-deb.sh drops the line from the unit of a ReadyToRun daemon (DISTRID_AOT=0).
/// </summary>
public sealed class MemoryDenyWriteExecuteTests
{
    private const string Python = "/usr/bin/python3";

    // prctl(PR_SET_MDWE = 65, PR_MDWE_REFUSE_EXEC_GAIN = 1), then exec the rest of the command line.
    private const string Launcher = """
        import ctypes, os, sys
        libc = ctypes.CDLL(None, use_errno=True)
        if libc.prctl(65, 1, 0, 0, 0) != 0:
            sys.stderr.write("no PR_SET_MDWE: errno %d\n" % ctypes.get_errno())
            sys.exit(97)
        os.execvp(sys.argv[1], sys.argv[1:])
        """;

    [Fact]
    public async Task Only_the_native_daemon_runs_with_no_writable_executable_memory()
    {
        if (!Requirements.RootWithFuse() || !Requirements.Tool(Python) || !KernelHasMdwe())
        {
            return;
        }

        using var scene = new SystemdScene();
        var (paths, systemd) = (scene.Paths, scene.Systemd);
        PackageFactory.Pack(paths.Store, "hello-amd64-1-1", new Dictionary<string, string> { ["bin/hello"] = "#!/bin/sh\necho hello\n" });
        await using var service = ServiceProcess.Start(systemd, paths, [Python, "-c", Launcher]);

        var ready = systemd.WaitForAsync("READY=1", timeout: TimeSpan.FromSeconds(60));
        var exited = service.WaitForExitAsync(TimeSpan.FromSeconds(60));
        if (DaemonCommand.Executable is null)
        {
            // The JIT must make the code it generates executable: the runtime cannot start.
            Assert.True(await Task.WhenAny(ready, exited) == exited, "the JIT daemon became ready under MDWE");
            Assert.NotEqual(0, await exited);
            return;
        }

        Assert.True(await Task.WhenAny(ready, exited) == ready, "the daemon exited before READY=1:\n" + service.Stderr);
        Assert.Equal("#!/bin/sh\necho hello\n", await File.ReadAllTextAsync(Path.Combine(paths.Mountpoint, "hello-amd64-1-1", "bin", "hello")));
        Assert.Equal("#!/bin/sh\necho hello\n", await File.ReadAllTextAsync(Path.Combine(paths.Mountpoint, "bin", "hello")));
        Assert.Equal(0, await service.StopAsync());
    }

    /// <summary>PR_SET_MDWE came with Linux 6.3; without it the test cannot run (a failure under CI, else a skip).</summary>
    private static bool KernelHasMdwe()
    {
        using var probe = Process.Start(new ProcessStartInfo(Python, ["-c", Launcher, "true"]) { RedirectStandardError = true })!;
        string error = probe.StandardError.ReadToEnd();
        probe.WaitForExit();
        if (probe.ExitCode == 0)
        {
            return true;
        }

        string reason = $"needs a kernel with PR_SET_MDWE (6.3+): {error.Trim()}";
        Assert.False(Requirements.IsCi, $"this test {reason}, which CI must provide (CI=true)");
        Assert.Skip(reason);
        return false;
    }
}
