using Distrid.Tests.Support;
using Tmds.DBus.Protocol;

namespace Distrid.Tests.DBus;

/// <summary>The Manager's newer members (Info, Pin, Unpin, Gc's keep) and unknown members, on the real bus.</summary>
public sealed class ManagerMembersOnTheBusTests(DBusDaemonFixture fixture) : IClassFixture<DBusDaemonFixture>
{
    private const ulong Simulate = 4;

    [Fact]
    public async Task An_unknown_member_gets_UnknownMethod_and_never_runs_another_method()
    {
        if (fixture.Bus is not { } bus)
        {
            return;
        }

        await using var client = await BusClient.ConnectAsync(bus.Address);
        var error = await Assert.ThrowsAsync<DBusErrorReplyException>(() => client.CreateAsync("Frobnicate", "t", (ref MessageWriter w) => w.WriteUInt64(Simulate)));
        Assert.Equal("org.freedesktop.DBus.Error.UnknownMethod", error.ErrorName);
        Assert.Contains("Frobnicate", error.Message);
    }

    [Fact]
    public async Task Info_answers_one_package_as_a_dictionary()
    {
        if (fixture.Bus is not { } bus)
        {
            return;
        }

        await using var client = await BusClient.ConnectAsync(bus.Address);
        var info = await client.CallAsync(BusClient.ManagerPath, BusClient.Manager, "Info", "s", (ref MessageWriter w) => w.WriteString("tool"),
            static (m, _) => m.GetBodyReader().ReadDictionaryOfStringToVariantValue());
        Assert.Equal("tool-amd64-1.0-1", info["fullName"].GetString());
        Assert.Equal("tool", info["name"].GetString());
    }

    [Theory]
    [InlineData("Gc", "ut")]
    [InlineData("Pin", "sst")]
    [InlineData("Unpin", "st")]
    public async Task Gc_with_keep_Pin_and_Unpin_create_transactions(string member, string signature)
    {
        if (fixture.Bus is not { } bus)
        {
            return;
        }

        await using var client = await BusClient.ConnectAsync(bus.Address);
        string path = await client.CreateAsync(member, signature, (ref MessageWriter w) =>
        {
            switch (member)
            {
                case "Gc":
                    w.WriteUInt32(2);
                    break;
                case "Pin":
                    w.WriteString("tool");
                    w.WriteString("tool-amd64-1.0-1");
                    break;
                default:
                    w.WriteString("tool");
                    break;
            }

            w.WriteUInt64(Simulate);
        });
        Assert.StartsWith("/org/distrid/Distrid1/Transaction/", path);
        var properties = await client.GetAllAsync(path);
        Assert.Equal(member.ToLowerInvariant(), properties["Role"].GetString());
    }
}
