using Distrid.Tests.DBus;
using Distrid.Tests.Support;
using Tmds.DBus.Protocol;

namespace Distrid.Tests.Admin;

/// <summary>The Manager's admin members (Files, Owns, Why, History, Diff, Verify) on the real bus: the same queries as JSON-RPC.</summary>
public sealed class AdminOnTheBusTests(DBusDaemonFixture fixture) : IClassFixture<DBusDaemonFixture>
{
    [Fact]
    public async Task History_and_Verify_answer_as_dictionaries_and_refusals_are_one_line_errors()
    {
        if (fixture.Bus is not { } bus || fixture.System is not { } system)
        {
            return;
        }

        await using var client = await BusClient.ConnectAsync(bus.Address);
        var history = await client.CallForDictionariesAsync("History", null, null);
        var viaCli = System.Text.Json.JsonDocument.Parse((await system.RunAsync("--json", "history")).Stdout).RootElement;
        Assert.Equal(viaCli.GetArrayLength(), history.Count);
        Assert.All(history, h => Assert.Contains(h["result"].GetString(), new[] { "committed", "downloaded", "failed", "running", "interrupted" }));

        var verified = await client.CallForDictionariesAsync("Verify", "as", (ref MessageWriter w) => w.WriteArray(Array.Empty<string>()));
        Assert.Equal(Directory.GetFiles(system.Paths.Store, "*.squashfs").Length, verified.Count);
        Assert.All(verified, v => Assert.True(v["ok"].GetBool()));

        // Files of a package: its paths when its image is in the store, else the line that says install fetches it.
        if (File.Exists(Path.Combine(system.Paths.Store, "tool-amd64-1.0-1.squashfs")))
        {
            var files = await client.CallAsync(BusClient.ManagerPath, BusClient.Manager, "Files", "s", (ref MessageWriter w) => w.WriteString("tool-amd64-1.0-1"),
                static (m, _) => m.GetBodyReader().ReadDictionaryOfStringToVariantValue());
            Assert.Equal("tool-amd64-1.0-1", files["fullName"].GetString());
        }
        else
        {
            var notStored = await Assert.ThrowsAsync<DBusErrorReplyException>(() => client.CallAsync(BusClient.ManagerPath, BusClient.Manager, "Files", "s",
                (ref MessageWriter w) => w.WriteString("tool-amd64-1.0-1"), static (m, _) => m.GetBodyReader().ReadDictionaryOfStringToVariantValue()));
            Assert.Contains("districtl install tool-amd64-1.0-1", notStored.Message);
        }

        var outside = await Assert.ThrowsAsync<DBusErrorReplyException>(() => client.CallAsync(BusClient.ManagerPath, BusClient.Manager, "Owns", "s",
            (ref MessageWriter w) => w.WriteString("/etc/passwd"), static (m, _) => m.GetBodyReader().ReadDictionaryOfStringToVariantValue()));
        Assert.Contains("is not under", outside.Message);
        var noGeneration = await Assert.ThrowsAsync<DBusErrorReplyException>(() => client.CallAsync(BusClient.ManagerPath, BusClient.Manager, "Diff", "uu",
            (ref MessageWriter w) =>
            {
                w.WriteUInt32(99999);
                w.WriteUInt32(0);
            }, static (m, _) => m.GetBodyReader().ReadDictionaryOfStringToVariantValue()));
        Assert.Contains("generation 99999 does not exist", noGeneration.Message);
    }
}
