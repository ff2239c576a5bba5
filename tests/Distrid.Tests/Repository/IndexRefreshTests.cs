using Distrid.Tests.Support;

namespace Distrid.Tests.Repository;

/// <summary>The daemon refreshes its mirrors' signed index in the background after start, before anyone asks.</summary>
public sealed class IndexRefreshTests
{
    [Fact]
    public async Task The_index_is_fetched_and_cached_after_start_without_a_request()
    {
        await using var system = MirroredSystem.TryCreate(mirror => mirror.Add("tool-amd64-1.0-1", new Dictionary<string, string> { ["bin/tool"] = "x" }));
        if (system is null)
        {
            return;
        }

        var daemon = await system.StartDaemonAsync();
        await daemon.WaitForLogAsync("mirror index: 1 packages");

        string cache = Path.Combine(system.Paths.State, "repositories");
        Assert.Single(Directory.GetFiles(cache, "index.json", SearchOption.AllDirectories));

        // The refreshed copy serves the first query: `search` finds the package and the daemon logs no new fetch error.
        var search = await system.CliAsync("search", "tool");
        Assert.True(search.ExitCode == 0, search.Stderr);
        Assert.Contains("tool-amd64-1.0-1", search.Stdout);
    }

    [Fact]
    public async Task A_dead_mirror_at_start_is_a_warning_and_the_daemon_serves()
    {
        await using var system = MirroredSystem.TryCreate(mirror => mirror.Add("tool-amd64-1.0-1", new Dictionary<string, string> { ["bin/tool"] = "x" }));
        if (system is null)
        {
            return;
        }

        File.Delete(Path.Combine(system.Mirror.Repository, "index.json.sig"));
        var daemon = await system.StartDaemonAsync();
        await daemon.WaitForLogAsync("mirror index not refreshed at start");

        var status = await system.CliAsync("status");
        Assert.True(status.ExitCode == 0, status.Stderr);
        var install = await system.CliAsync("install", "tool");
        Assert.NotEqual(0, install.ExitCode);
        Assert.Single(install.Stderr.Trim().Split('\n'));
    }
}
