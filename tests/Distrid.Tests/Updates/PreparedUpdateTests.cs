using Distrid.Tests.Admin;

namespace Distrid.Tests.Updates;

/// <summary>
/// <c>update --download-only</c> then <c>update --apply-downloaded</c> through districtl against a real daemon and
/// nginx mirror: the prepared update is committed exactly, once, and only while it is whole and still applies.
/// </summary>
public sealed class PreparedUpdateTests
{
    [Fact]
    public async Task Download_only_prepares_and_apply_downloaded_commits_exactly_that_once()
    {
        await using var system = UpdateSystem.Create();
        if (system is null)
        {
            return;
        }

        await system.StartDaemonAsync();
        await system.RunAsync("install", "app");
        int before = system.CurrentGeneration();

        Assert.Equal("districtl: no update is prepared: run 'districtl update --download-only' first", await system.FailsAsync("update", "--apply-downloaded"));
        Assert.Contains("exclude each other", await system.FailsAsync("update", "--download-only", "--apply-downloaded"));
        Assert.Equal(before, system.CurrentGeneration());

        system.PublishRevision2();
        var prepared = await system.JsonAsync("update", "--download-only");
        Assert.True(prepared.GetProperty("downloadOnly").GetBoolean());
        Assert.Equal(["app-amd64-1-2"], prepared.GetProperty("downloaded").Strings());
        Assert.Equal(before, system.CurrentGeneration());
        Assert.Contains("app 1", system.AppOutput());

        // The mirror may change or vanish now: the apply needs nothing from it.
        system.Mirror.Add("app-amd64-1-3", UpdateSystem.App(3));
        system.Mirror.Publish();
        var dryRun = await system.JsonAsync("update", "--apply-downloaded", "--dry-run");
        Assert.Equal(["app-amd64-1-2"], dryRun.GetProperty("added").Strings());
        Assert.Equal(before, system.CurrentGeneration());

        var applied = await system.JsonAsync("update", "--apply-downloaded");
        Assert.Equal(["app-amd64-1-2"], applied.GetProperty("added").Strings());
        Assert.Equal(["app-amd64-1-1"], applied.GetProperty("removed").Strings());
        Assert.Empty(applied.GetProperty("downloaded").EnumerateArray());
        Assert.Equal(before, applied.GetProperty("previousGeneration").GetInt32());
        Assert.Equal(applied.GetProperty("generation").GetInt32(), system.CurrentGeneration());
        Assert.Contains("app 2", system.AppOutput());

        Assert.Contains("no update is prepared", await system.FailsAsync("update", "--apply-downloaded"));
        var history = (await system.HistoryAsync()).TakeLast(2).ToList();
        Assert.Equal(("update --download-only", "downloaded"), (history[0].Text("description"), history[0].Text("result")));
        Assert.Equal(("update --apply-downloaded", "committed", "socket"), (history[1].Text("description"), history[1].Text("result"), history[1].Text("via")));
    }

    [Fact]
    public async Task A_stale_or_damaged_prepared_update_is_refused_in_one_line_and_changes_nothing()
    {
        await using var system = UpdateSystem.Create();
        if (system is null)
        {
            return;
        }

        await system.StartDaemonAsync();
        await system.RunAsync("install", "app");
        system.PublishRevision2();
        await system.RunAsync("update", "--download-only");

        // gc between the two keeps the prepared images (the update still applies).
        await system.RunAsync("gc", "--keep", "1");
        Assert.True(File.Exists(Path.Combine(system.Paths.Store, "app-amd64-1-2.squashfs")));

        // A byte of a prepared image flipped: refused, nothing committed, the failure in history, and the damaged image
        // dropped, so that preparing again fetches it instead of taking it as present.
        string image = Path.Combine(system.Paths.Store, "app-amd64-1-2.squashfs");
        byte[] damaged = File.ReadAllBytes(image);
        damaged[^1] ^= 0xff;
        File.WriteAllBytes(image, damaged);
        int before = system.CurrentGeneration();
        Assert.Contains("the prepared image app-amd64-1-2 changed since it was verified", await system.FailsAsync("update", "--apply-downloaded"));
        Assert.Equal(before, system.CurrentGeneration());
        Assert.Equal("failed", (await system.HistoryAsync()).Last().Text("result"));
        Assert.False(File.Exists(image));
        Assert.Equal(["app-amd64-1-2"], (await system.JsonAsync("update", "--download-only")).GetProperty("downloaded").Strings());

        // Another transaction made another generation current: the plan is stale.
        await system.RunAsync("install", "big");
        int current = system.CurrentGeneration();
        Assert.Equal(
            $"districtl: the prepared update is stale: it was planned on generation {before}, but generation {current} is current now; run 'districtl update --download-only' again",
            await system.FailsAsync("update", "--apply-downloaded"));
        Assert.Equal(current, system.CurrentGeneration());
        Assert.Contains("app 1", system.AppOutput());
    }
}
