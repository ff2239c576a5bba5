using Distrid.Hosting;
using Distrid.Tests.Support;

namespace Distrid.Tests.AppStream;

/// <summary>Where catalogs go: /var/cache/swcatalog unless the flag or the config file says otherwise, or none.</summary>
public sealed class SoftwareCatalogOptionsTests
{
    [Fact]
    public void The_flag_or_the_config_file_moves_or_switches_off_the_catalog_directory()
    {
        using var directory = new TempDirectory();
        string moved = Path.Combine(directory.Path, "moved.json");
        string off = Path.Combine(directory.Path, "off.json");
        string empty = Path.Combine(directory.Path, "empty.json");
        File.WriteAllText(moved, """{ "swcatalog": "/srv/swcatalog" }""");
        File.WriteAllText(off, """{ "swcatalog": "none" }""");
        File.WriteAllText(empty, "{}");
        var command = DaemonCommandLine.CreateCommand();

        Assert.Equal("/var/cache/swcatalog", DaemonCommandLine.Resolve(command.Parse(["--config", empty])).SoftwareCatalog);
        Assert.Equal("/srv/swcatalog", DaemonCommandLine.Resolve(command.Parse(["--config", moved])).SoftwareCatalog);
        Assert.Equal("none", DaemonCommandLine.Resolve(command.Parse(["--config", off])).SoftwareCatalog);
        Assert.Equal("/tmp/x", DaemonCommandLine.Resolve(command.Parse(["--config", off, "--swcatalog", "/tmp/x"])).SoftwareCatalog);
        Assert.Equal("none", DaemonCommandLine.Resolve(command.Parse(["--config", moved, "--swcatalog", "none"])).SoftwareCatalog);
    }
}
