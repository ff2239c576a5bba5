using Distrid.Tests.Support;
using Tmds.DBus.Protocol;

namespace Distrid.Tests.DBus;

/// <summary>The Manager's Run and RunEnd on the real bus: a view under /ro/.view held by the caller's unique name.</summary>
public sealed class RunOnTheBusTests(DBusDaemonFixture fixture) : IClassFixture<DBusDaemonFixture>
{
    private static Task<Dictionary<string, VariantValue>> RunAsync(BusClient client, params string[] with) =>
        client.CallAsync(BusClient.ManagerPath, BusClient.Manager, "Run", "as", (ref MessageWriter w) => w.WriteArray(with),
            static (m, _) => m.GetBodyReader().ReadDictionaryOfStringToVariantValue());

    private static Task<bool> RunEndAsync(BusClient client, string view) =>
        client.CallAsync(BusClient.ManagerPath, BusClient.Manager, "RunEnd", "s", (ref MessageWriter w) => w.WriteString(view),
            static (m, _) => m.GetBodyReader().ReadBool());

    [Fact]
    public async Task Run_as_a_user_without_CAP_SYS_ADMIN_is_one_line_runs_nothing_and_holds_no_view()
    {
        if (!DBusDaemonFixture.Ready() || fixture.Bus is null)
        {
            return;
        }

        using var scratch = new TempDirectory();
        File.SetUnixFileMode(scratch.Path, (UnixFileMode)0b111_111_111);
        string marker = Path.Combine(scratch.Path, "ran");
        // More runs than a uid may hold views: each one's view must end with its districtl.
        for (int i = 0; i <= Distrid.Api.Views.RunViews.MaxPerUser; i++)
        {
            var result = await fixture.CliAsync(asNobody: true, "run", "--", "touch", marker);
            Assert.Equal(1, result.ExitCode);
            Assert.Equal("districtl: run needs root (CAP_SYS_ADMIN) for a private mount namespace; try: sudo districtl run ...", result.Stderr.Trim());
        }

        Assert.False(File.Exists(marker), "the command ran without its namespace");
        Assert.Empty(Directory.GetFileSystemEntries(Path.Combine(fixture.System!.Paths.Mountpoint, ".view")));
    }

    [Fact]
    public async Task Run_serves_a_view_until_RunEnd_or_until_its_caller_leaves_the_bus_and_refuses_a_bad_with()
    {
        if (!DBusDaemonFixture.Ready() || fixture.Bus is not { } bus)
        {
            return;
        }

        string views = Path.Combine(fixture.System!.Paths.Mountpoint, ".view");
        string path;
        await using (var client = await BusClient.ConnectAsync(bus.Address))
        {
            var error = await Assert.ThrowsAsync<DBusErrorReplyException>(() => RunAsync(client, "tool-amd64-9.9-9"));
            Assert.Contains("tool-amd64-9.9-9 is not in the store", error.Message);
            error = await Assert.ThrowsAsync<DBusErrorReplyException>(() => RunAsync(client, "tool"));
            Assert.Contains("'tool' is not a package full name", error.Message);

            var view = await RunAsync(client);
            path = view["path"].GetString();
            Assert.Equal(Path.Combine(views, view["id"].GetString()), path);
            Assert.True(Directory.Exists(path));
            Assert.True(await RunEndAsync(client, view["id"].GetString()));
            Assert.False(Directory.Exists(path), $"{path} outlived RunEnd");
            error = await Assert.ThrowsAsync<DBusErrorReplyException>(() => RunEndAsync(client, view["id"].GetString()));
            Assert.Contains("of this connection", error.Message);

            path = (await RunAsync(client))["path"].GetString();
            Assert.True(Directory.Exists(path));
        }

        // The caller left the bus without RunEnd; the daemon learns it from NameOwnerChanged, which no one can await.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (Directory.Exists(path))
        {
            Assert.True(DateTime.UtcNow < deadline, $"{path} outlived its caller's bus name by 30 s");
            await Task.Delay(20);
        }
    }
}
