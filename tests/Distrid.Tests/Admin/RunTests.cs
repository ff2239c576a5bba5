using System.Diagnostics;
using Distrid.Tests.JsonRpc;
using Distrid.Tests.Support;

namespace Distrid.Tests.Admin;

/// <summary>
/// <c>districtl run --with</c> against a real daemon, mirror and /ro mount: the chosen packages show in the exchange
/// directories inside the command's mount namespace while everyone else keeps seeing the current generation, the view
/// goes with the command, and a bad <c>--with</c> runs nothing.
/// </summary>
public sealed class RunTests
{
    private static MirroredSystem? Create() => MirroredSystem.TryCreate(mirror =>
    {
        mirror.Add("app-amd64-1-1", new Dictionary<string, string> { ["bin/app"] = PackageFactory.Script("app 1"), ["bin/old-only"] = PackageFactory.Script("old") });
        mirror.Add("app-amd64-1-2", new Dictionary<string, string> { ["bin/app"] = PackageFactory.Script("app 2"), ["bin/new-only"] = PackageFactory.Script("new") });
        // Never in the current generation at run time, and provides bin/app too: a chosen package wins the conflict.
        mirror.Add("zed-amd64-1-1", new Dictionary<string, string> { ["bin/app"] = PackageFactory.Script("zed app"), ["share/zed/data"] = "zed" });
    });

    /// <summary>
    /// A running system with both revisions of app in the store (the current generation names 1-2) and zed in the store
    /// only; null where the machine lacks what it needs.
    /// </summary>
    private static async Task<MirroredSystem?> InstalledAsync()
    {
        var system = Create();
        if (system is null)
        {
            return null;
        }

        try
        {
            await InstallAsync(system);
            return system;
        }
        catch
        {
            await system.DisposeAsync();
            throw;
        }
    }

    private static async Task InstallAsync(MirroredSystem system)
    {
        await system.StartDaemonAsync();
        await system.RunAsync("install", "zed");
        await system.RunAsync("remove", "zed");
        await system.RunAsync("install", "app-amd64-1-1");
        await system.RunAsync("install", "app-amd64-1-2");
        Assert.Equal(["app-amd64-1-2"], (await system.JsonAsync("list")).EnumerateArray().Select(p => p.GetProperty("fullName").GetString()));
    }

    [Fact]
    public async Task Run_with_an_older_revision_shows_it_in_bin_inside_while_outside_shows_the_current_one_at_the_same_time()
    {
        await using var system = await InstalledAsync();
        if (system is null)
        {
            return;
        }

        string ro = system.Paths.Mountpoint;
        // Inside: record what /ro/bin shows, say so through one fifo, then block on the other until the test has looked
        // outside, and exit with a status of our own.
        const string script = """
            readlink "$ro/bin/app" > "$out/link"
            "$ro/bin/app" > "$out/output"
            ls "$ro/bin" > "$out/bin"
            echo ready > "$out/ready"
            read line < "$out/release"
            exit 7
            """;
        using var run = await HeldRun.StartAsync(system, script, "app-amd64-1-1");

        // At this moment the command is inside its view: it saw the old revision, while /ro/bin here shows the current one.
        Assert.Equal("../app-amd64-1-1/bin/app", File.ReadAllText(Path.Combine(run.Scratch, "link")).Trim());
        Assert.Equal("app 1", File.ReadAllText(Path.Combine(run.Scratch, "output")).Trim());
        Assert.Equal(["app", "old-only"], File.ReadAllLines(Path.Combine(run.Scratch, "bin")));
        Assert.Equal("../app-amd64-1-2/bin/app", new FileInfo(Path.Combine(ro, "bin/app")).LinkTarget);
        Assert.Equal(["app", "new-only"], Directory.GetFileSystemEntries(Path.Combine(ro, "bin")).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.Equal("app 2", (await ProgramOutputAsync(Path.Combine(ro, "bin/app"))).Trim());

        // The view itself is a hidden directory of /ro: not listed, but there while the command runs.
        Assert.DoesNotContain(".view", Directory.GetFileSystemEntries(ro).Select(Path.GetFileName));
        string[] views = Directory.GetDirectories(Path.Combine(ro, ".view"));
        string view = Assert.Single(views);
        Assert.Equal("../app-amd64-1-1/bin/app", new FileInfo(Path.Combine(view, "bin/app")).LinkTarget);

        await run.ReleaseAsync();
        Assert.True(run.Process.ExitCode == 7, $"districtl run exited {run.Process.ExitCode}: {await run.Stderr}");
        Assert.Equal("", await run.Stdout);
        Assert.Equal("", await run.Stderr);

        // The view went with the command's districtl.
        Assert.Empty(Directory.GetFileSystemEntries(Path.Combine(ro, ".view")));
        Assert.False(Directory.Exists(view), $"{view} still exists after the run");
        Assert.Equal("../app-amd64-1-2/bin/app", new FileInfo(Path.Combine(ro, "bin/app")).LinkTarget);
    }

    [Fact]
    public async Task A_generation_committed_while_the_command_runs_leaves_its_view_in_place()
    {
        await using var system = await InstalledAsync();
        if (system is null)
        {
            return;
        }

        string ro = system.Paths.Mountpoint;
        const string script = """
            readlink "$ro/bin/app" > "$out/before"
            echo $$ > "$out/pid"
            echo ready > "$out/ready"
            read line < "$out/release"
            readlink "$ro/bin/app" > "$out/after"
            ls "$ro/bin" > "$out/bin"
            """;
        using var run = await HeldRun.StartAsync(system, script, "app-amd64-1-1");

        // Outside, a new generation: every exchange directory of /ro is published anew.
        await system.RunAsync("install", "zed");
        Assert.Equal("zed", File.ReadAllText(Path.Combine(ro, "share/zed/data")));
        Assert.Equal("../app-amd64-1-2/bin/app", new FileInfo(Path.Combine(ro, "bin/app")).LinkTarget);

        // The publish detached the view's bind in the command's namespace (the kernel does that to mounts on an
        // invalidated entry); districtl binds it again. Nothing tells the test when, so it waits (bounded) until the
        // command's own mount table shows the view on bin/ again.
        string view = Assert.Single(Directory.GetDirectories(Path.Combine(ro, ".view")));
        string mountinfo = $"/proc/{File.ReadAllText(Path.Combine(run.Scratch, "pid")).Trim()}/mountinfo";
        string bound = $" /{Path.GetRelativePath(ro, view)}/bin {Path.Combine(ro, "bin")} ";
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (!File.ReadAllText(mountinfo).Contains(bound, StringComparison.Ordinal))
        {
            Assert.True(DateTime.UtcNow < deadline, $"the view was not bound again over bin/ within 30 s: {File.ReadAllText(mountinfo)}");
            await Task.Delay(10);
        }

        await run.ReleaseAsync();
        Assert.True(run.Process.ExitCode == 0, $"districtl run exited {run.Process.ExitCode}: {await run.Stderr}");
        Assert.Equal("../app-amd64-1-1/bin/app", File.ReadAllText(Path.Combine(run.Scratch, "before")).Trim());
        Assert.Equal("../app-amd64-1-1/bin/app", File.ReadAllText(Path.Combine(run.Scratch, "after")).Trim());
        Assert.Equal(["app", "old-only"], File.ReadAllLines(Path.Combine(run.Scratch, "bin")));
    }

    [Fact]
    public async Task SIGTERM_to_districtl_reaches_the_command_whose_status_districtl_returns()
    {
        await using var system = await InstalledAsync();
        if (system is null)
        {
            return;
        }

        // The trap is set before the command says it is ready; `wait` returns when the trap runs, which ends the sleep
        // (it holds districtl's stderr, which the test reads to the end).
        const string script = """
            trap 'kill $!; exit 42' TERM
            sleep 600 &
            echo ready > "$out/ready"
            wait
            """;
        using var run = await HeldRun.StartAsync(system, script);
        using (var kill = Process.Start("kill", ["-TERM", run.Process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync();
            Assert.Equal(0, kill.ExitCode);
        }

        await run.Process.WaitForExitAsync();
        Assert.True(run.Process.ExitCode == 42, $"districtl run exited {run.Process.ExitCode}: {await run.Stderr}");
        Assert.Empty(Directory.GetFileSystemEntries(Path.Combine(system.Paths.Mountpoint, ".view")));
    }

    [Fact]
    public async Task A_package_the_generation_does_not_name_wins_its_paths_and_NAME_equals_FULLNAME_replaces_a_package()
    {
        await using var system = await InstalledAsync();
        if (system is null)
        {
            return;
        }

        string ro = system.Paths.Mountpoint;

        // zed is only in the store: chosen, it wins bin/app over app (which would win by name order). Its share/ has no
        // mountpoint, since no package of the current generation has one (/ro is read-only): one note, and the run goes on.
        var zed = await system.RunAsync("run", "--with", "zed-amd64-1-1", "--", "/bin/sh", "-c", $"readlink {ro}/bin/app; ls {ro}/bin; {ro}/bin/app");
        Assert.Equal(["../zed-amd64-1-1/bin/app", "app", "new-only", "zed app"], zed.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal($"districtl: note: {ro}/share does not exist outside the view, so the view's share/ cannot be shown there (its files are under {ro}/<fullname>/share/)", zed.Stderr.Trim());
        Assert.False(Directory.Exists(Path.Combine(ro, "share")), "zed's share/ leaked out of the view");

        // app=zed-...: zed instead of app, so app's other programs are gone from the view.
        string replaced = (await system.RunAsync("run", "--with", "app=zed-amd64-1-1", "--", "ls", Path.Combine(ro, "bin"))).Stdout;
        Assert.Equal(["app"], replaced.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal("../zed-amd64-1-1/bin/app", (await system.RunAsync("run", "--with", "app=zed-amd64-1-1", "--", "readlink", Path.Combine(ro, "bin/app"))).Stdout.Trim());

        // Without --with the view is the current generation; the command's exit status is districtl's.
        Assert.Equal("../app-amd64-1-2/bin/app", (await system.RunAsync("run", "--", "readlink", Path.Combine(ro, "bin/app"))).Stdout.Trim());
        var failed = await system.CliAsync("run", "--", "/bin/sh", "-c", "exit 3");
        Assert.Equal(3, failed.ExitCode);
        Assert.Empty(Directory.GetFileSystemEntries(Path.Combine(ro, ".view")));
    }

    [Fact]
    public async Task A_bad_with_is_one_line_and_nothing_runs()
    {
        await using var system = await InstalledAsync();
        if (system is null)
        {
            return;
        }

        string ro = system.Paths.Mountpoint;
        using var scratch = new TempDirectory();
        string marker = Path.Combine(scratch.Path, "ran");

        string notStored = await system.FailsAsync("run", "--with", "app-amd64-1-9", "--", "touch", marker);
        Assert.Contains("app-amd64-1-9 is not in the store", notStored);
        string notAName = await system.FailsAsync("run", "--with", "app", "--", "touch", marker);
        Assert.Contains("'app' is not a package full name", notAName);
        string badName = await system.FailsAsync("run", "--with", "-x=zed-amd64-1-1", "--", "touch", marker);
        Assert.Contains("invalid package name", badName);
        string notInstalled = await system.FailsAsync("run", "--with", "nosuch=zed-amd64-1-1", "--", "touch", marker);
        Assert.Contains("no package called nosuch is in the current generation", notInstalled);
        string twice = await system.FailsAsync("run", "--with", "app-amd64-1-1", "--with", "app-amd64-1-2", "--", "touch", marker);
        Assert.Contains("names app-amd64 twice", twice);
        string[] many = [.. Enumerable.Range(1, 33).SelectMany(i => new[] { "--with", $"p{i}-amd64-1-1" })];
        string tooMany = await system.FailsAsync(["run", .. many, "--", "touch", marker]);
        Assert.Contains("at most 32 --with", tooMany);
        Assert.False(File.Exists(marker), "a command ran although its --with was refused");

        // The daemon refuses the same on its own (a client that skips districtl's checks), and keeps a view exactly as
        // long as the connection that asked for it.
        using (var socket = RawRpcConnection.Connect(system.Paths.Socket))
        {
            var reply = await socket.CallAsync("""{"jsonrpc":"2.0","id":1,"method":"run","params":{"with":["app-amd64-1-1","app-amd64-1-2"]}}""");
            Assert.Contains("names app-amd64 twice", reply.GetProperty("error").GetProperty("message").GetString());
            reply = await socket.CallAsync("""{"jsonrpc":"2.0","id":2,"method":"run","params":{"with":["zed-amd64-7-7"]}}""");
            Assert.Contains("zed-amd64-7-7 is not in the store", reply.GetProperty("error").GetProperty("message").GetString());
            var opened = (await socket.CallAsync("""{"jsonrpc":"2.0","id":3,"method":"run","params":{"with":["app-amd64-1-1"]}}""")).GetProperty("result");
            string path = opened.GetProperty("path").GetString()!;
            Assert.Equal(Path.Combine(ro, ".view", opened.GetProperty("id").GetString()!), path);
            Assert.Equal(["app-amd64-1-1"], opened.GetProperty("chosen").Strings());
            Assert.Equal(["app-amd64-1-2"], opened.GetProperty("replaced").Strings());
            Assert.Equal(["bin"], opened.GetProperty("directories").Strings());
            Assert.Equal("../app-amd64-1-1/bin/app", new FileInfo(Path.Combine(path, "bin/app")).LinkTarget);

            // runEnd closes a view of this connection at once; one it does not hold is refused.
            var second = (await socket.CallAsync("""{"jsonrpc":"2.0","id":4,"method":"run"}""")).GetProperty("result");
            string secondId = second.GetProperty("id").GetString()!;
            Assert.Equal("../app-amd64-1-2/bin/app", new FileInfo(Path.Combine(second.GetProperty("path").GetString()!, "bin/app")).LinkTarget);
            Assert.True((await socket.CallAsync($$$"""{"jsonrpc":"2.0","id":5,"method":"runEnd","params":{"view":"{{{secondId}}}"}}""")).GetProperty("result").GetBoolean());
            Assert.Equal([path], Directory.GetDirectories(Path.Combine(ro, ".view")));
            var again = await socket.CallAsync($$$"""{"jsonrpc":"2.0","id":6,"method":"runEnd","params":{"view":"{{{secondId}}}"}}""");
            Assert.Equal($"no view {secondId} of this connection", again.GetProperty("error").GetProperty("message").GetString());

            // The connection ends: its view is closed before the daemon closes its side.
            socket.Socket.Shutdown(System.Net.Sockets.SocketShutdown.Send);
            Assert.Null(await socket.ReadLineAsync());
            Assert.False(Directory.Exists(path), $"{path} outlived its connection");
        }

        Assert.Empty(Directory.GetFileSystemEntries(Path.Combine(ro, ".view")));

        // A command that cannot start: one line and 127, as a shell says it.
        var missing = await system.CliAsync("run", "--", Path.Combine(scratch.Path, "no-such-program"));
        Assert.Equal(127, missing.ExitCode);
        Assert.Contains("cannot run", missing.Stderr);
        Assert.DoesNotContain('\n', missing.Stderr.Trim());
        Assert.Empty(Directory.GetFileSystemEntries(Path.Combine(ro, ".view")));
    }

    private static async Task<string> ProgramOutputAsync(string program)
    {
        using var process = Process.Start(new ProcessStartInfo(program) { RedirectStandardOutput = true })!;
        string output = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        return output;
    }
}
