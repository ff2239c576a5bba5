using Distrid.Tests.Support;

namespace Distrid.Tests.DBus;

/// <summary>
/// org.freedesktop.DBus.Properties of a transaction object, through busctl on a real bus: Get answers one property, Set
/// is refused, and an interface or a property the object does not have gets its own error.
/// </summary>
public sealed class PropertiesOnTheBusTests(DBusDaemonFixture fixture) : IClassFixture<DBusDaemonFixture>
{
    private const ulong Simulate = 4;

    [Fact]
    public async Task A_transaction_answers_Get_refuses_Set_and_names_what_it_lacks()
    {
        if (!DBusDaemonFixture.Ready() || fixture.Bus is not { } bus)
        {
            return;
        }

        await using var client = await BusClient.ConnectAsync(bus.Address);
        string path = await client.InstallAsync(["tool"], Simulate);
        string[] property = ["--system", "get-property", BusClient.Service, path];

        var status = await bus.RunAsync("/usr/bin/busctl", [.. property, BusClient.Transaction, "Status"]);
        Assert.True(status.ExitCode == 0, status.StandardError);
        Assert.Equal("s \"waiting\"", status.StandardOutput.Trim());

        var set = await bus.RunAsync("/usr/bin/busctl", ["--system", "set-property", BusClient.Service, path, BusClient.Transaction, "Status", "s", "finished"]);
        Assert.NotEqual(0, set.ExitCode);
        Assert.Contains("transaction properties are read-only", set.StandardError);

        var otherInterface = await bus.RunAsync("/usr/bin/busctl", [.. property, "org.example.Nothing", "Status"]);
        Assert.NotEqual(0, otherInterface.ExitCode);
        Assert.Contains("no interface org.example.Nothing here", otherInterface.StandardError);

        var otherProperty = await bus.RunAsync("/usr/bin/busctl", [.. property, BusClient.Transaction, "Nothing"]);
        Assert.NotEqual(0, otherProperty.ExitCode);
        Assert.Contains("no property Nothing", otherProperty.StandardError);
    }
}
