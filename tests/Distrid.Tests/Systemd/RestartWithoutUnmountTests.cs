using System.Diagnostics;
using Distrid.Fuse.Mounting;
using Distrid.Tests.Support;

namespace Distrid.Tests.Systemd;

/// <summary>
/// A daemon killed with SIGKILL and restarted by (a stand-in for) systemd keeps /ro mounted: the successor takes
/// the /dev/fuse descriptor and its state from the fd store, answers what the dead one had read, and resolves every
/// node id the kernel still holds. Real processes, real kernel mount, no mocks.
/// </summary>
public sealed class RestartWithoutUnmountTests(ITestOutputHelper output)
{
    private const int LargeFileBytes = 256 << 20;

    [Fact]
    public async Task A_cat_running_across_SIGKILL_and_restart_completes_with_the_right_bytes()
    {
        if (!Requirements.RootWithFuse() || !Requirements.Tool(ListenFdsLauncher.Python))
        {
            return;
        }

        using var scene = new SystemdScene();
        var (paths, systemd) = (scene.Paths, scene.Systemd);
        string source = TestPackages.PackLargeFile(paths.Store, scene.Root, "big-amd64-1-1", LargeFileBytes);
        await using var first = ServiceProcess.Start(systemd, paths);
        await systemd.WaitForAsync("READY=1");
        Assert.Equal(["fuse-state", "fuse"], systemd.StoredNames);
        var mountBefore = MountTable.Find(paths.Mountpoint)!;

        string copy = Path.Combine(scene.Root, "copy");
        using var cat = Process.Start("sh", ["-c", "exec cat \"$1\" > \"$2\"", "sh", Path.Combine(paths.Mountpoint, "big-amd64-1-1", "share", "big", "data"), copy])!;
        var progress = Task.Run(() => WatchGrowth(copy, cat, systemd));
        // Kill from a dedicated thread the moment cat is streaming: the file takes the daemon a fraction of a second
        // from a warm image, too short for a thread-pool wait on a loaded machine.
        var (killedAt, copiedAtKill) = KillWhenStreaming(first, cat, copy, systemd);
        await first.KillAsync();
        Assert.False(cat.HasExited, $"cat finished before the kill ({copiedAtKill} bytes copied); the test proves nothing");
        int from = systemd.MessageCount;
        await using var second = ServiceProcess.Start(systemd, paths);
        var ready = await systemd.WaitForAsync("READY=1", from);

        using (var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60)))
        {
            // Without NOTIFY_RESEND (verified by disabling it) the READs the dead daemon had taken hang here.
            var exited = cat.WaitForExitAsync(timeout.Token);
            await Task.WhenAny(exited);
            Assert.True(exited.IsCompletedSuccessfully, "cat did not finish within 60 s of the restart:\n" + second.Stderr);
        }

        var (stall, resumedAt) = await progress;
        Assert.Equal(0, cat.ExitCode);
        Assert.Equal(0, await RunAsync("cmp", source, copy));
        Assert.Contains("resumed the FUSE connection", second.Stderr);
        // Still the same connection: nothing was unmounted or remounted.
        Assert.Equal(mountBefore.DeviceMinor, MountTable.Find(paths.Mountpoint)!.DeviceMinor);
        output.WriteLine($"SIGKILL -> successor READY=1: {(ready.At - killedAt).TotalMilliseconds:F0} ms");
        output.WriteLine("successor's log:\n" + second.Stderr);
        output.WriteLine($"cat: {copiedAtKill >> 20} MiB copied at the kill; output resumed {(resumedAt - killedAt).TotalMilliseconds:F0} ms after it; longest stall {stall.TotalMilliseconds:F0} ms");

        // A clean stop unmounts and empties the fd store, so no later start inherits a dead connection.
        Assert.Equal(0, await second.StopAsync());
        Assert.Null(MountTable.Find(paths.Mountpoint));
        Assert.Empty(systemd.StoredNames);
    }

    [Fact]
    public async Task Node_ids_the_kernel_holds_survive_the_restart()
    {
        if (!Requirements.RootWithFuse() || !Requirements.Tool(ListenFdsLauncher.Python))
        {
            return;
        }

        using var scene = new SystemdScene();
        var (paths, systemd) = (scene.Paths, scene.Systemd);
        PackageFactory.Pack(paths.Store, "zzz-amd64-1-1", new Dictionary<string, string>
        {
            ["bin/ztool"] = PackageFactory.Script("z"),
            ["share/zzz/before.txt"] = "zzz before",
            ["share/zzz/after.txt"] = "zzz after",
        }, scene.Root);
        await using var first = ServiceProcess.Start(systemd, paths);
        await systemd.WaitForAsync("READY=1");

        // Installed while the first daemon runs: it gets image slot 2 and a second exchange tree, where a daemon
        // starting afresh would give it slot 1 (the store scan sorts it first) and only one tree.
        PackageFactory.Pack(paths.Store, "aaa-amd64-1-1", new Dictionary<string, string>
        {
            ["bin/atool"] = PackageFactory.Script("a"),
            ["share/aaa/before.txt"] = "aaa before",
            ["share/aaa/after.txt"] = "aaa after",
            ["share/aaa/unread.txt"] = "aaa unread",
        }, scene.Root);
        var install = await Cli.RunAsync("--socket", paths.Socket, "install", "aaa-amd64-1-1");
        Assert.True(install.ExitCode == 0, install.Stderr);

        string aaaShare = Path.Combine(paths.Mountpoint, "aaa-amd64-1-1", "share", "aaa");
        string unread = Path.Combine(aaaShare, "unread.txt");
        Assert.Equal(10, new FileInfo(unread).Length); // looked up (the kernel keeps its node id), never read
        Assert.Equal("../aaa-amd64-1-1/bin/atool", new FileInfo(Path.Combine(paths.Mountpoint, "bin", "atool")).LinkTarget);
        using var inShare = StartShell(aaaShare);
        using var inBin = StartShell(Path.Combine(paths.Mountpoint, "bin"));
        using var inZzz = StartShell(Path.Combine(paths.Mountpoint, "zzz-amd64-1-1", "share", "zzz"));

        await first.KillAsync();
        int from = systemd.MessageCount;
        await using var second = ServiceProcess.Start(systemd, paths);
        await systemd.WaitForAsync("READY=1", from);

        // READ of a node id the predecessor gave (slot 2): a fresh slot table would serve zzz's bytes or EIO.
        Assert.Equal("aaa unread", await File.ReadAllTextAsync(unread));
        Assert.Equal("aaa after\nafter.txt before.txt unread.txt\n" + aaaShare + "\n", await RunInShellAsync(inShare, "cat after.txt; echo; echo $(ls); pwd"));
        Assert.Equal("../aaa-amd64-1-1/bin/atool\n../zzz-amd64-1-1/bin/ztool\natool ztool\n", await RunInShellAsync(inBin, "readlink atool; readlink ztool; echo $(ls)"));
        Assert.Equal("zzz after\n", await RunInShellAsync(inZzz, "cat after.txt; echo"));
        Assert.Equal("aaa before", await File.ReadAllTextAsync(Path.Combine(aaaShare, "before.txt")));
        Assert.Equal(0, await second.StopAsync());
    }

    private static Process StartShell(string workingDirectory)
    {
        var psi = new ProcessStartInfo("sh")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        return Process.Start(psi)!;
    }

    private static async Task<string> RunInShellAsync(Process shell, string commands)
    {
        await shell.StandardInput.WriteLineAsync(commands);
        shell.StandardInput.Close();
        var stdout = shell.StandardOutput.ReadToEndAsync();
        var stderr = shell.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await shell.WaitForExitAsync(timeout.Token);
        Assert.True(await stderr == "", await stderr);
        return await stdout;
    }

    /// <summary>Samples the copy's size until cat exits: the longest time without growth, and when it grew after
    /// the last kill (the first growth at or after the most recent SIGKILL is approximated by the stall's end).</summary>
    private static (TimeSpan LongestStall, TimeSpan StallEnd) WatchGrowth(string copy, Process cat, FakeSystemd clock)
    {
        long last = -1;
        var lastGrowth = clock.Now;
        var longest = TimeSpan.Zero;
        var stallEnd = TimeSpan.Zero;
        while (!cat.HasExited)
        {
            long length = File.Exists(copy) ? new FileInfo(copy).Length : 0;
            var now = clock.Now;
            if (length != last)
            {
                if (last >= 0 && now - lastGrowth > longest)
                {
                    longest = now - lastGrowth;
                    stallEnd = now;
                }

                last = length;
                lastGrowth = now;
            }

            Thread.Sleep(2);
        }

        return (longest, stallEnd);
    }

    private static (TimeSpan KilledAt, long Copied) KillWhenStreaming(ServiceProcess daemon, Process cat, string copy, FakeSystemd clock)
    {
        (TimeSpan, long) result = default;
        var killer = new Thread(() =>
        {
            var watch = Stopwatch.StartNew();
            long copied = 0;
            while (copied < (2 << 20) && !cat.HasExited && watch.Elapsed < TimeSpan.FromSeconds(30))
            {
                Thread.Sleep(1);
                copied = File.Exists(copy) ? new FileInfo(copy).Length : 0;
            }

            result = (clock.Now, copied);
            daemon.KillNow();
        })
        { Priority = ThreadPriority.Highest };
        killer.Start();
        killer.Join();
        return result;
    }

    private static async Task<int> RunAsync(string program, params string[] args)
    {
        using var process = Process.Start(program, args);
        await process.WaitForExitAsync();
        return process.ExitCode;
    }
}
