using Distrid.Tests.Support;

namespace Distrid.Tests.DBus;

/// <summary>What the daemon does when its bus is not there: the documented choice between warning and failing.</summary>
public sealed class DBusStartupTests
{
    [Fact]
    public async Task A_missing_system_bus_is_a_warning_and_denies_non_root_changes_but_a_failing_explicit_address_fails_the_start()
    {
        if (!Requirements.RootWithFuse() || !Requirements.Tool("/usr/bin/setpriv"))
        {
            return;
        }

        using var dir = new TempDirectory();
        File.SetUnixFileMode(dir.Path, (UnixFileMode)0b111_101_101);
        string missing = "unix:path=" + Path.Combine(dir.Path, "no-bus-here");
        var paths = new DaemonPaths(Path.Combine(dir.Path, "system")) { DBus = "system" };
        await using (var daemon = await DaemonProcess.StartAsync(paths, new Dictionary<string, string> { ["DBUS_SYSTEM_BUS_ADDRESS"] = missing }))
        {
            var status = await Cli.RunAsync("--socket", paths.Socket, "status");
            Assert.True(status.ExitCode == 0, status.Stderr);
            Assert.Contains("D-Bus front end not available", daemon.Stderr);

            // Polkit cannot be reached either (no system bus): a non-root change is denied, failing closed.
            File.SetUnixFileMode(paths.Root, (UnixFileMode)0b111_101_101);
            var refused = await Task.Run(() => Distri.Core.Tests.Support.ProcessRunner.Run("/usr/bin/setpriv",
                ["--reuid=65534", "--regid=65534", "--clear-groups", "dotnet", Path.Combine(AppContext.BaseDirectory, "districtl.dll"), "--socket", paths.Socket, "update"],
                allowFailure: true));
            Assert.NotEqual(0, refused.ExitCode);
            Assert.Contains("not authorized: org.distrid.distrid1.update", refused.StandardError);
            Assert.Equal(0, await daemon.StopAsync());
        }

        var explicitPaths = new DaemonPaths(Path.Combine(dir.Path, "explicit")) { DBus = missing };
        var failure = await Assert.ThrowsAsync<InvalidOperationException>(() => DaemonProcess.StartAsync(explicitPaths));
        Assert.Contains("exited with 1", failure.Message);
        Assert.Contains($"cannot start: D-Bus at {missing}", failure.Message);
    }
}
