using Distrid.Tests.Support;

namespace Distrid.Tests.DBus;

/// <summary>What the daemon does when its bus is not there: the documented choice between warning and failing.</summary>
public sealed class DBusStartupTests
{
    [Fact]
    public async Task A_missing_system_bus_is_a_warning_but_a_failing_explicit_address_fails_the_start()
    {
        if (!Requirements.RootWithFuse())
        {
            return;
        }

        using var dir = new TempDirectory();
        string missing = "unix:path=" + Path.Combine(dir.Path, "no-bus-here");
        var paths = new DaemonPaths(Path.Combine(dir.Path, "system")) { DBus = "system" };
        await using (var daemon = await DaemonProcess.StartAsync(paths, new Dictionary<string, string> { ["DBUS_SYSTEM_BUS_ADDRESS"] = missing }))
        {
            var status = await Cli.RunAsync("--socket", paths.Socket, "status");
            Assert.True(status.ExitCode == 0, status.Stderr);
            Assert.Contains("D-Bus front end not available", daemon.Stderr);
            Assert.Equal(0, await daemon.StopAsync());
        }

        var explicitPaths = new DaemonPaths(Path.Combine(dir.Path, "explicit")) { DBus = missing };
        var failure = await Assert.ThrowsAsync<InvalidOperationException>(() => DaemonProcess.StartAsync(explicitPaths));
        Assert.Contains("exited with 1", failure.Message);
        Assert.Contains($"cannot start: D-Bus at {missing}", failure.Message);
    }
}
