using Distrid.Tests.Admin;
using Distrid.Tests.DBus;
using Distrid.Tests.Support;
using Tmds.DBus.Protocol;

namespace Distrid.Tests.Updates;

/// <summary>The same prepared update on D-Bus: Update with ONLY_DOWNLOAD prepares, Update with APPLY_DOWNLOADED applies.</summary>
public sealed class PreparedUpdateOnTheBusTests(DBusDaemonFixture fixture) : IClassFixture<DBusDaemonFixture>
{
    private const ulong OnlyDownload = 8;
    private const ulong ApplyDownloaded = 1UL << 32;

    [Fact]
    public async Task Update_with_only_download_prepares_and_with_apply_downloaded_commits_it()
    {
        if (!DBusDaemonFixture.Ready() || fixture.System is not { } system)
        {
            return;
        }

        await using var client = await BusClient.ConnectAsync(fixture.Bus!.Address);

        // Nothing prepared yet: the transaction fails with the one line that says what to do.
        var nothing = await RunAsync(client, ApplyDownloaded);
        Assert.Equal("failed", nothing.Exit);
        Assert.Contains(nothing.Signals, s => s.Contains("no update is prepared: run 'districtl update --download-only' first", StringComparison.Ordinal));

        await system.RunAsync("install", "tool");
        system.Mirror.Add("tool-amd64-1.0-2", new Dictionary<string, string> { ["bin/tool"] = PackageFactory.Script("tool 2") });
        system.Mirror.Publish();
        int before = (await client.StatusAsync())["generation"].GetInt32();

        Assert.Equal("success", (await RunAsync(client, OnlyDownload)).Exit);
        Assert.Equal(before, (await client.StatusAsync())["generation"].GetInt32());
        Assert.True(File.Exists(Path.Combine(system.Paths.Store, "tool-amd64-1.0-2.squashfs")));

        Assert.Equal("success", (await RunAsync(client, ApplyDownloaded)).Exit);
        Assert.NotEqual(before, (await client.StatusAsync())["generation"].GetInt32());
        Assert.Contains("tool 2", await File.ReadAllTextAsync(Path.Combine(system.Paths.Mountpoint, "bin", "tool")));

        var history = await client.CallForDictionariesAsync("History", null, null);
        var applied = history.Last();
        Assert.Equal("update --apply-downloaded", applied["description"].GetString());
        Assert.Equal("dbus", applied["via"].GetString());

        // Both at once is refused when the transaction is created, and the flag means nothing to Install.
        await Assert.ThrowsAsync<DBusErrorReplyException>(() => client.CreateAsync("Update", "t", (ref MessageWriter w) => w.WriteUInt64(OnlyDownload | ApplyDownloaded)));
        await Assert.ThrowsAsync<DBusErrorReplyException>(() => client.InstallAsync(["tool"], ApplyDownloaded));
    }

    private static async Task<(string Exit, IReadOnlyList<string> Signals)> RunAsync(BusClient client, ulong flags)
    {
        string path = await client.CreateAsync("Update", "t", (ref MessageWriter w) => w.WriteUInt64(flags));
        using var watch = await client.WatchAsync(path);
        await client.CallAsync(path, BusClient.Transaction, "Start");
        string exit = await watch.Finished;
        return (exit, watch.Signals);
    }
}
