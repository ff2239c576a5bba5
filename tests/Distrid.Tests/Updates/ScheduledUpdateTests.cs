using Distrid.Tests.Admin;

namespace Distrid.Tests.Updates;

/// <summary>
/// distrid-update.service's command (<c>districtl update --scheduled</c>), run by hand against a real daemon and an
/// nginx mirror: a run whose mirror dies half-way changes nothing and the next run applies the update as one
/// transaction; the policy's download-only mode and maintenance window hold the commit back; history says "timer".
/// </summary>
public sealed class ScheduledUpdateTests
{
    [Fact]
    public async Task A_run_whose_mirror_dies_half_way_changes_nothing_and_the_next_run_applies_the_whole_update()
    {
        await using var system = UpdateSystem.Create();
        if (system is null)
        {
            return;
        }

        system.Configure("""{ "mode": "apply", "keepGenerations": 1 }""");
        await system.StartDaemonAsync();
        await system.RunAsync("install", "app", "big");
        int before = system.CurrentGeneration();
        Assert.Contains("app 1", system.AppOutput());

        // Revision 2 of both, but the mirror's copy of big's image ends half-way: app's image arrives, big's cannot.
        system.PublishRevision2();
        string pkg = Path.Combine(system.Mirror.Repository, "pkg");
        var cut = Directory.GetFiles(pkg, "big-amd64-1-2.squashfs*").Where(f => !f.EndsWith(".meta.json", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(cut);
        foreach (string image in cut)
        {
            File.Copy(image, image + ".whole");
            using var stream = new FileStream(image, FileMode.Open, FileAccess.Write);
            stream.SetLength(stream.Length / 2);
        }

        var failed = await system.RunServiceAsync();
        Assert.NotEqual(0, failed.ExitCode);
        string line = failed.Stderr.Trim();
        Assert.DoesNotContain('\n', line);
        Assert.Contains("big-amd64-1-2", line);

        // Nothing changed: the same generation, the same /ro, nothing prepared to apply.
        Assert.Equal(before, system.CurrentGeneration());
        Assert.Contains("app 1", system.AppOutput());
        Assert.False(File.Exists(Path.Combine(system.Paths.Store, "big-amd64-1-2.squashfs")));
        Assert.Contains("no update is prepared", await system.FailsAsync("update", "--apply-downloaded"));
        var failure = (await system.HistoryAsync()).Last();
        Assert.Equal("update --download-only", failure.Text("description"));
        Assert.Equal("failed", failure.Text("result"));
        Assert.Equal("timer", failure.Text("via"));

        // The mirror is whole again: the next run downloads the rest, applies all of it as one generation, and gc keeps 1.
        foreach (string image in cut)
        {
            File.Move(image + ".whole", image, overwrite: true);
        }

        var run = await system.RunServiceAsync();
        Assert.True(run.ExitCode == 0, run.Stderr);
        Assert.Contains($"scheduled update: applied, generation {before} -> ", run.Stdout);
        int after = system.CurrentGeneration();
        Assert.True(after > before);
        Assert.Contains("app 2", system.AppOutput());
        Assert.Equal("big 2", File.ReadLines(Path.Combine(system.Paths.Mountpoint, "big-amd64-1-2", UpdateSystem.BigFile)).First());
        var generations = (await system.JsonAsync("generations")).EnumerateArray().Select(g => g.GetProperty("number").GetInt32()).ToList();
        Assert.Equal([after], generations);
        Assert.False(File.Exists(Path.Combine(system.Paths.Store, "app-amd64-1-1.squashfs")));

        var timer = (await system.HistoryAsync()).Where(h => h.TryGetProperty("via", out var via) && via.GetString() == "timer").ToList();
        Assert.Equal(
            [("update --download-only", "failed"), ("update --download-only", "downloaded"), ("update --apply-downloaded", "committed"), ("gc", "committed")],
            timer.Select(h => (h.Text("description"), h.Text("result"))));
        Assert.Equal(after, timer[2].GetProperty("generation").GetInt32());
        Assert.Equal(before, timer[2].GetProperty("previousGeneration").GetInt32());
        Assert.All(timer, h => Assert.Equal(0u, h.GetProperty("uid").GetUInt32()));
        Assert.Contains("via timer\tupdate --apply-downloaded\tcommitted", (await system.RunAsync("history")).Stdout);

        // Nothing newer: the run says so and commits nothing.
        var idle = await system.RunServiceAsync();
        Assert.True(idle.ExitCode == 0, idle.Stderr);
        Assert.Contains("scheduled update: up to date", idle.Stdout);
        Assert.Equal(after, system.CurrentGeneration());
    }

    [Fact]
    public async Task Download_only_mode_and_a_closed_window_prepare_and_leave_the_commit_to_a_later_apply()
    {
        await using var system = UpdateSystem.Create();
        if (system is null)
        {
            return;
        }

        // A window that is closed now (it opens in two hours): apply mode, but only downloading happens.
        var now = TimeOnly.FromDateTime(DateTime.Now);
        string window = $"{now.AddHours(2):HH\\:mm}-{now.AddHours(3):HH\\:mm}";
        system.Configure($$"""{ "mode": "apply", "window": "{{window}}" }""");
        await system.StartDaemonAsync();
        await system.RunAsync("install", "app");
        int before = system.CurrentGeneration();
        system.PublishRevision2();

        var json = await system.JsonAsync(["update", "--scheduled"]);
        Assert.Equal("outside-window", json.Text("outcome"));
        Assert.Equal("apply", json.Text("mode"));
        Assert.Equal(window, json.Text("window"));
        Assert.Equal(["app-amd64-1-2"], json.GetProperty("download").GetProperty("downloaded").Strings());
        Assert.False(json.TryGetProperty("apply", out _));
        Assert.Equal(before, system.CurrentGeneration());
        Assert.Contains("app 1", system.AppOutput());
        Assert.True(File.Exists(Path.Combine(system.Paths.Store, "app-amd64-1-2.squashfs")));

        // The prepared update is what an admin (or the next run in the window) applies.
        var applied = await system.RunAsync("update", "--apply-downloaded");
        Assert.Contains($"update --apply-downloaded: generation {before} -> ", applied.Stdout);
        Assert.Contains("app 2", system.AppOutput());
    }

    [Fact]
    public async Task The_default_policy_only_downloads()
    {
        await using var system = UpdateSystem.Create();
        if (system is null)
        {
            return;
        }

        await system.StartDaemonAsync();
        await system.RunAsync("install", "app");
        int before = system.CurrentGeneration();
        system.PublishRevision2();

        var run = await system.RunServiceAsync();
        Assert.True(run.ExitCode == 0, run.Stderr);
        Assert.Contains("mode download-only: apply with 'districtl update --apply-downloaded'", run.Stdout);
        Assert.Equal(before, system.CurrentGeneration());
        var last = (await system.HistoryAsync()).Last();
        Assert.Equal(("update --download-only", "downloaded", "timer"), (last.Text("description"), last.Text("result"), last.Text("via")));
        Assert.Equal(before, last.GetProperty("previousGeneration").GetInt32());
        Assert.False(last.TryGetProperty("generation", out _));
    }
}
