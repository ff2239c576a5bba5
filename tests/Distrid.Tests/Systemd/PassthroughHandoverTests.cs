using Distrid.Tests.Support;

namespace Distrid.Tests.Systemd;

/// <summary>
/// Passthrough and systemd's fd store exclude each other: a successor could not know which inodes the kernel holds
/// in passthrough mode and would answer an open in the wrong mode. Under systemd, <c>fusePassthrough: true</c> keeps
/// the connection out of the fd store (a restart remounts), and passthrough is on; without it, the connection is
/// stored and OPEN keeps costing nothing.
/// </summary>
public sealed class PassthroughHandoverTests
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Under_systemd_passthrough_keeps_the_connection_out_of_the_fd_store(bool passthrough)
    {
        if (!Requirements.RootWithFuse())
        {
            return;
        }

        using var scene = new SystemdScene();
        var (paths, systemd) = (scene.Paths, scene.Systemd);
        await File.WriteAllTextAsync(paths.Config, $$"""{"fusePassthrough": {{(passthrough ? "true" : "false")}}}""", TestContext.Current.CancellationToken);
        PackageFactory.Pack(paths.Store, "hello-amd64-1-1", new Dictionary<string, string> { ["share/hello/greeting"] = "hi" }, scene.Root);
        await using var daemon = ServiceProcess.Start(systemd, paths);
        await systemd.WaitForAsync("READY=1");

        Assert.Equal("hi", await File.ReadAllTextAsync(Path.Combine(paths.Mountpoint, "hello-amd64-1-1", "share", "hello", "greeting"), TestContext.Current.CancellationToken));
        if (passthrough)
        {
            Assert.Empty(systemd.StoredNames);
            Assert.Contains("FUSE passthrough on", daemon.Stderr, StringComparison.Ordinal);
        }
        else
        {
            Assert.Equal(["fuse-state", "fuse"], systemd.StoredNames);
            Assert.DoesNotContain("FUSE passthrough", daemon.Stderr, StringComparison.Ordinal);
        }

        Assert.Equal(0, await daemon.StopAsync());
    }
}
