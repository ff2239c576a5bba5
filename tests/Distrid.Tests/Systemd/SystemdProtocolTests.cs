using System.Diagnostics;
using System.Net.Sockets;
using Distrid.Fuse.Mounting;
using Distrid.Tests.Support;

namespace Distrid.Tests.Systemd;

/// <summary>
/// The daemon's side of the systemd protocols, against a stand-in that listens on NOTIFY_SOCKET: readiness, status,
/// watchdog, socket activation and exit status on failure.
/// </summary>
public sealed class SystemdProtocolTests
{
    private const string SocketActivate = "/usr/bin/systemd-socket-activate";

    [Fact]
    public async Task READY_is_sent_only_once_ro_and_the_socket_serve()
    {
        if (!Requirements.RootWithFuse())
        {
            return;
        }

        using var scene = new SystemdScene();
        var (paths, systemd) = (scene.Paths, scene.Systemd);
        PackageFactory.Pack(paths.Store, "hello-amd64-1-1", new Dictionary<string, string> { ["share/hello/greeting"] = "hi" }, scene.Root);

        // Checked on the stand-in's thread the instant READY=1 arrives, before the daemon could do anything more.
        string? atReady = null;
        systemd.OnMessage = message =>
        {
            if (message.Has("READY=1"))
            {
                atReady = $"{MountTable.Find(paths.Mountpoint)?.FileSystemType}|{File.ReadAllText(Path.Combine(paths.Mountpoint, "hello-amd64-1-1", "share", "hello", "greeting"))}|{Connects(paths.Socket)}";
            }
        };
        await using var daemon = ServiceProcess.Start(systemd, paths);
        var ready = await systemd.WaitForAsync("READY=1");

        Assert.Equal("fuse.distrid|hi|True", atReady);
        Assert.Contains("STATUS=serving 1 packages, generation 1", ready.Text);
        Assert.Contains($"MAINPID={daemon.Pid}", ready.Text);
        var messages = systemd.Messages;
        int mounting = messages.ToList().FindIndex(m => m.Text.StartsWith("STATUS=mounting ", StringComparison.Ordinal));
        Assert.InRange(mounting, 0, messages.ToList().IndexOf(ready) - 1);

        int from = systemd.MessageCount;
        Assert.Equal(0, await daemon.StopAsync());
        await systemd.WaitForAsync("STOPPING=1", from);
        Assert.Contains(systemd.Messages.Skip(from), m => m.Text.StartsWith("STATUS=stopping", StringComparison.Ordinal));
        Assert.Contains(systemd.Messages.Skip(from), m => m.Has("FDSTOREREMOVE=1") && m.Has("FDNAME=fuse"));
        Assert.Null(MountTable.Find(paths.Mountpoint));
    }

    [Fact]
    public async Task Socket_activation_serves_the_inherited_socket_and_leaves_its_path_alone()
    {
        if (!Requirements.RootWithFuse() || !Requirements.Tool(SocketActivate))
        {
            return;
        }

        using var scene = new SystemdScene();
        var (paths, systemd) = (scene.Paths, scene.Systemd);
        string activated = Path.Combine(scene.Root, "activated.sock");
        // systemd-socket-activate passes on only LISTEN_* and what -E names.
        await using var daemon = ServiceProcess.Start(systemd, paths, [SocketActivate, "-l", activated, "--fdname=cli", "-E", "NOTIFY_SOCKET"]);

        // systemd-socket-activate listens first and execs distrid on the first connection: districtl is that one.
        var watch = Stopwatch.StartNew();
        while (!File.Exists(activated))
        {
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(30) && !daemon.HasExited, "systemd-socket-activate did not listen: " + daemon.Stderr);
            await Task.Delay(10);
        }

        var status = await Cli.RunAsync("--socket", activated, "--json", "status");
        Assert.True(status.ExitCode == 0, status.Stderr + daemon.Stderr);
        Assert.Contains(paths.Store, status.Stdout);
        await systemd.WaitForAsync("READY=1");
        Assert.False(File.Exists(paths.Socket), "the daemon bound its own socket although one was passed");

        Assert.Equal(0, await daemon.StopAsync());
        Assert.True(File.Exists(activated), "the daemon removed the socket unit's path");
    }

    [Fact]
    public async Task Watchdog_pings_arrive_at_half_of_WATCHDOG_USEC()
    {
        if (!Requirements.RootWithFuse())
        {
            return;
        }

        using var scene = new SystemdScene();
        var (paths, systemd) = (scene.Paths, scene.Systemd);
        await using var daemon = ServiceProcess.Start(systemd, paths, environment: new Dictionary<string, string> { ["WATCHDOG_USEC"] = "400000" });
        var ready = await systemd.WaitForAsync("READY=1");

        int from = systemd.MessageCount;
        var firstPing = await systemd.WaitForAsync("WATCHDOG=1", from, TimeSpan.FromSeconds(10));
        var thirdPing = await systemd.WaitForAsync(m => m.Has("WATCHDOG=1") && m.At > firstPing.At + TimeSpan.FromMilliseconds(300), from, TimeSpan.FromSeconds(10), "third ping");

        // Three pings in 300+ ms means one every ~200 ms: half the 400 ms timeout (generous bounds for a busy CI).
        int pings = systemd.Messages.Skip(from).Count(m => m.Has("WATCHDOG=1") && m.At <= thirdPing.At);
        Assert.InRange(pings, 2, 4);
        Assert.Equal(0, await daemon.StopAsync());
    }

    [Fact]
    public async Task A_FUSE_session_that_dies_under_the_daemon_makes_it_exit_non_zero()
    {
        if (!Requirements.RootWithFuse())
        {
            return;
        }

        using var scene = new SystemdScene();
        var (paths, systemd) = (scene.Paths, scene.Systemd);
        await using var daemon = ServiceProcess.Start(systemd, paths);
        await systemd.WaitForAsync("READY=1");
        Assert.Equal(["fuse-state", "fuse"], systemd.StoredNames);

        // Someone unmounts /ro behind the daemon's back: it cannot serve, so Restart=on-failure must fire.
        var abort = MountTable.Find(paths.Mountpoint)!;
        Assert.True(FuseMount.AbortConnection(abort.DeviceMinor));
        int exitCode = await daemon.WaitForExitAsync(TimeSpan.FromSeconds(60));

        Assert.NotEqual(0, exitCode);
        Assert.Contains("FUSE session", daemon.Stderr);
        Assert.Empty(systemd.StoredNames);
    }

    [Fact]
    public async Task A_stored_connection_that_is_no_longer_mounted_is_dropped_and_ro_mounted_afresh()
    {
        if (!Requirements.RootWithFuse() || !Requirements.Tool(ListenFdsLauncher.Python))
        {
            return;
        }

        using var scene = new SystemdScene();
        var (paths, systemd) = (scene.Paths, scene.Systemd);
        PackageFactory.Pack(paths.Store, "hello-amd64-1-1", new Dictionary<string, string> { ["share/hello/greeting"] = "hi" }, scene.Root);
        await using (var first = ServiceProcess.Start(systemd, paths))
        {
            await systemd.WaitForAsync("READY=1");
            await first.KillAsync();
        }

        // The stored connection lives on (the stand-in holds it), but it is no longer mounted at the mountpoint.
        using (var umount = Process.Start("umount", ["-l", paths.Mountpoint]))
        {
            await umount.WaitForExitAsync();
        }

        int from = systemd.MessageCount;
        await using var second = ServiceProcess.Start(systemd, paths);
        await systemd.WaitForAsync("READY=1", from);

        Assert.Contains("not resuming the stored FUSE connection", second.Stderr);
        Assert.Equal("hi", await File.ReadAllTextAsync(Path.Combine(paths.Mountpoint, "hello-amd64-1-1", "share", "hello", "greeting")));
        Assert.Equal(["fuse-state", "fuse"], systemd.StoredNames); // the old pair removed, the new pair stored
        Assert.Equal(0, await second.StopAsync());
    }

    private static bool Connects(string path)
    {
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            socket.Connect(new UnixDomainSocketEndPoint(path));
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
