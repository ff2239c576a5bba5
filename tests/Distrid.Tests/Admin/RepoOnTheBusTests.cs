using Distrid.Tests.Support;
using Tmds.DBus.Protocol;

namespace Distrid.Tests.Admin;

/// <summary>
/// The Manager's repository members on a private system bus with real polkitd: the same list as <c>repo list</c>,
/// changes authorized by polkit (nobody is refused until a rule grants it, and a refusal changes nothing), and the
/// daemon itself insists that a key's fingerprint was confirmed.
/// </summary>
public sealed class RepoOnTheBusTests
{
    [Fact]
    public async Task Repo_members_answer_as_repo_list_and_polkit_decides_who_may_change_them()
    {
        if (!Requirements.RootWith([.. PrivateSystemBus.Needs, NginxFixture.NginxPath]))
        {
            return;
        }

        await using var bus = (await PrivateSystemBus.TryStartAsync())!;
        await using var repos = (await RepoSystem.StartAsync(bus.Environment, bus.Address))!;
        await using var root = await BusClient.ConnectAsync(bus.Address);
        await using var nobody = await BusClient.ConnectAsNobodyAsync(bus);

        var listed = Assert.Single(await root.CallForDictionariesAsync("RepoList", null, null));
        var viaCli = (await repos.JsonAsync("repo", "list")).EnumerateArray().Single();
        Assert.Equal(viaCli.GetProperty("url").GetString(), listed["url"].GetString());
        Assert.True(listed["enabled"].GetBool());
        Assert.Equal(5, listed["packages"].GetInt32());
        Assert.Equal(viaCli.GetProperty("key").GetString(), listed["key"].GetString());

        // nobody may look, not change: refused by polkit, nothing written.
        string before = repos.Snapshot();
        var denied = await Assert.ThrowsAsync<DBusErrorReplyException>(() => OnUrlAsync(nobody, "RepoDisable", repos.UrlA));
        Assert.Contains(denied.ErrorName, new[] { "org.freedesktop.DBus.Error.AccessDenied", "org.freedesktop.DBus.Error.InteractiveAuthorizationRequired" });
        Assert.Contains("org.distrid.distrid1.repo-configure", denied.Message);
        string pem = await File.ReadAllTextAsync(repos.KeyB);
        string fingerprint = RepoSystem.FingerprintOf(repos.KeyB);
        await Assert.ThrowsAsync<DBusErrorReplyException>(() => AddAsync(nobody, repos.UrlB, pem, fingerprint));
        Assert.Single(await nobody.CallForDictionariesAsync("RepoList", null, null));
        Assert.Equal(before, repos.Snapshot());

        // The daemon, not only districtl, refuses a key whose fingerprint nobody confirmed.
        var unconfirmed = await Assert.ThrowsAsync<DBusErrorReplyException>(() => AddAsync(root, repos.UrlB, pem, ""));
        Assert.Equal("org.freedesktop.DBus.Error.InvalidArgs", unconfirmed.ErrorName);
        Assert.Contains(fingerprint, unconfirmed.Message);
        Assert.Equal(before, repos.Snapshot());

        var added = await AddAsync(root, repos.UrlB, pem, fingerprint);
        Assert.Equal(fingerprint, added["fingerprint"].GetString());
        Assert.Equal(2, added["packages"].GetInt32());
        Assert.Contains("wasp-amd64-1-1", await root.ListPackagesAsync(available: true));

        // Granted by a polkit rule, nobody may disable; root enables it again and removes it.
        await bus.GrantNobodyAsync();
        Assert.False((await OnUrlAsync(nobody, "RepoDisable", repos.UrlB))["enabled"].GetBool());
        await bus.RevokeNobodyAsync();
        Assert.DoesNotContain("wasp-amd64-1-1", await root.ListPackagesAsync(available: true));
        Assert.True((await OnUrlAsync(root, "RepoEnable", repos.UrlB))["enabled"].GetBool());
        await OnUrlAsync(root, "RepoRemove", repos.UrlB);
        Assert.Equal([repos.UrlA], (await root.CallForDictionariesAsync("RepoList", null, null)).Select(r => r["url"].GetString()));
    }

    private static Task<Dictionary<string, VariantValue>> OnUrlAsync(BusClient client, string member, string url) =>
        client.CallAsync(BusClient.ManagerPath, BusClient.Manager, member, "s", (ref MessageWriter w) => w.WriteString(url),
            static (m, _) => m.GetBodyReader().ReadDictionaryOfStringToVariantValue());

    private static Task<Dictionary<string, VariantValue>> AddAsync(BusClient client, string url, string key, string fingerprint) =>
        client.CallAsync(BusClient.ManagerPath, BusClient.Manager, "RepoAdd", "sss", (ref MessageWriter w) =>
        {
            w.WriteString(url);
            w.WriteString(key);
            w.WriteString(fingerprint);
        }, static (m, _) => m.GetBodyReader().ReadDictionaryOfStringToVariantValue());
}
