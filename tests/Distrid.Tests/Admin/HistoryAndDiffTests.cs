namespace Distrid.Tests.Admin;

/// <summary><c>history</c> and <c>diff</c> after install, update, rollback and remove, against a real daemon and mirror.</summary>
public sealed class HistoryAndDiffTests
{
    [Fact]
    public async Task History_and_diff_follow_install_update_rollback_and_remove()
    {
        await using var system = AdminSystem.Create();
        if (system is null)
        {
            return;
        }

        await system.StartDaemonAsync();

        await system.RunAsync("install", "app");
        var installed = await system.JsonAsync("diff");
        Assert.Equal(["app-amd64-1-1", "base-amd64-1-1", "mid-amd64-1-1"], installed.GetProperty("added").Strings().Order(StringComparer.Ordinal));
        Assert.Empty(installed.GetProperty("removed").EnumerateArray());
        int afterInstall = installed.GetProperty("to").GetInt32();

        system.Mirror.Add("app-amd64-1-2", AdminSystem.App, "mid-amd64-1-1");
        system.Mirror.Publish();
        await system.RunAsync("update");
        var updated = await system.JsonAsync("diff");
        Assert.Equal(afterInstall, updated.GetProperty("from").GetInt32());
        var upgrade = Assert.Single(updated.GetProperty("upgraded").EnumerateArray());
        Assert.Equal("app-amd64", upgrade.GetProperty("name").GetString());
        Assert.Equal("app-amd64-1-1", upgrade.GetProperty("from").GetString());
        Assert.Equal("app-amd64-1-2", upgrade.GetProperty("to").GetString());
        Assert.Empty(updated.GetProperty("added").EnumerateArray());
        int afterUpdate = updated.GetProperty("to").GetInt32();

        await system.RunAsync("rollback");
        var rolledBack = await system.JsonAsync("diff");
        Assert.Equal(afterUpdate, rolledBack.GetProperty("from").GetInt32());
        Assert.Equal(afterInstall, rolledBack.GetProperty("to").GetInt32());
        var downgrade = Assert.Single(rolledBack.GetProperty("downgraded").EnumerateArray());
        Assert.Equal("app-amd64-1-2", downgrade.GetProperty("from").GetString());
        Assert.Contains("downgraded  app-amd64-1-2 -> app-amd64-1-1", (await system.RunAsync("diff")).Stdout);

        await system.RunAsync("remove", "app");
        var removed = await system.JsonAsync("diff");
        Assert.Equal(["app-amd64-1-1", "base-amd64-1-1", "mid-amd64-1-1"], removed.GetProperty("removed").Strings().Order(StringComparer.Ordinal));
        int afterRemove = removed.GetProperty("to").GetInt32();

        // Any two generations, in either direction.
        var explicitPair = await system.JsonAsync("diff", afterUpdate.ToString(System.Globalization.CultureInfo.InvariantCulture), afterRemove.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(["app-amd64-1-2", "base-amd64-1-1", "mid-amd64-1-1"], explicitPair.GetProperty("removed").Strings().Order(StringComparer.Ordinal));
        Assert.Contains("generation 99 does not exist", await system.FailsAsync("diff", "99"));

        // A request refused while planning began no transaction: the journal (and history) does not list it.
        Assert.Contains("no package 'nothing-such'", await system.FailsAsync("install", "nothing-such"));

        // A transaction that fails after it began (its image is gone from the mirror) is listed as failed, with why.
        foreach (string file in Directory.GetFiles(Path.Combine(system.Mirror.Repository, "pkg"), "extra-amd64-1-1.squashfs*"))
        {
            File.Delete(file);
        }

        await system.FailsAsync("install", "extra");

        var history = (await system.JsonAsync("history")).EnumerateArray().ToList();
        Assert.Equal(
            ["install app", "update", "rollback", "remove app", "install extra"],
            history.Where(h => h.TryGetProperty("caller", out _)).Select(h => h.GetProperty("description").GetString()));
        var failed = history.Last();
        Assert.Equal("install extra", failed.GetProperty("description").GetString());
        Assert.Equal("failed", failed.GetProperty("result").GetString());
        Assert.Contains("extra-amd64-1-1", failed.GetProperty("error").GetString());
        Assert.False(failed.TryGetProperty("generation", out _));
        var mine = history.Where(h => h.TryGetProperty("caller", out _)).SkipLast(1).ToList();
        Assert.All(mine, h =>
        {
            Assert.Equal("committed", h.GetProperty("result").GetString());
            Assert.Equal("socket", h.GetProperty("via").GetString());
            Assert.Equal(0u, h.GetProperty("uid").GetUInt32());
            Assert.True(h.GetProperty("durationSeconds").GetDouble() >= 0);
            Assert.True(h.GetProperty("finished").GetDateTimeOffset() >= h.GetProperty("started").GetDateTimeOffset());
        });
        Assert.Equal([afterInstall, afterUpdate, afterInstall, afterRemove], mine.Select(h => h.GetProperty("generation").GetInt32()));
        Assert.Equal(afterUpdate, mine[2].GetProperty("previousGeneration").GetInt32());

        string table = (await system.RunAsync("history")).Stdout;
        Assert.Contains("uid 0 via socket\trollback\tcommitted\t" + afterUpdate.ToString(System.Globalization.CultureInfo.InvariantCulture) + " -> " + afterInstall.ToString(System.Globalization.CultureInfo.InvariantCulture), table);
    }
}
