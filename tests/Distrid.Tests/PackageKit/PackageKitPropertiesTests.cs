namespace Distrid.Tests.PackageKit;

/// <summary>
/// org.freedesktop.DBus.Properties of PackageKit's daemon object, through busctl on a real bus: Get answers from both
/// its interfaces, Set is refused, and an interface or a property it does not have gets its own error.
/// </summary>
public sealed class PackageKitPropertiesTests(PackageKitFixture fixture) : IClassFixture<PackageKitFixture>
{
    private const string Service = "org.freedesktop.PackageKit";
    private const string Path = "/org/freedesktop/PackageKit";

    [Fact]
    public async Task The_daemon_answers_Get_on_both_interfaces_refuses_Set_and_names_what_it_lacks()
    {
        if (!PackageKitFixture.Ready() || fixture.Bus is not { } bus)
        {
            return;
        }

        string[] property = ["--system", "get-property", Service, Path];
        var backend = await bus.RunAsync("/usr/bin/busctl", [.. property, Service, "BackendName"]);
        Assert.True(backend.ExitCode == 0, backend.StandardError);
        Assert.Equal("s \"distrid\"", backend.StandardOutput.Trim());

        var action = await bus.RunAsync("/usr/bin/busctl", [.. property, Service + ".Offline", "TriggerAction"]);
        Assert.True(action.ExitCode == 0, action.StandardError);
        Assert.StartsWith("s ", action.StandardOutput.Trim(), StringComparison.Ordinal);

        var set = await bus.RunAsync("/usr/bin/busctl", ["--system", "set-property", Service, Path, Service, "BackendName", "s", "other"]);
        Assert.NotEqual(0, set.ExitCode);
        Assert.Contains("PackageKit's properties are read-only", set.StandardError);

        var otherInterface = await bus.RunAsync("/usr/bin/busctl", [.. property, Service + ".Transaction", "Role"]);
        Assert.NotEqual(0, otherInterface.ExitCode);
        Assert.Contains($"no interface {Service}.Transaction here", otherInterface.StandardError);

        var otherProperty = await bus.RunAsync("/usr/bin/busctl", [.. property, Service, "Nothing"]);
        Assert.NotEqual(0, otherProperty.ExitCode);
        Assert.Contains("no property Nothing", otherProperty.StandardError);
    }
}
