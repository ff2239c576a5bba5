using Distri.Core.AppStream;
using Distri.Core.Tests.Support;
using Distrid.Tests.Support;

namespace Distrid.Tests.AppStream;

/// <summary>
/// The catalog as libappstream's own tool sees it: <c>appstreamcli validate</c> accepts what <c>repo build</c>
/// published and what the daemon installed, and after a refresh through unmodified pkcon, <c>appstreamcli search</c>
/// and <c>get</c> find our application where software centers look (/var/cache/swcatalog, in a private mount
/// namespace over the daemon's temporary directory; always with a private --cachepath).
/// </summary>
public sealed class AppStreamCliTests(AppStreamFixture fixture) : IClassFixture<AppStreamFixture>
{
    [Fact]
    public async Task Validate_accepts_the_published_and_the_installed_catalog()
    {
        if (!AppStreamFixture.Ready())
        {
            return;
        }

        string published = Path.Combine(fixture.System!.Mirror.Repository, AppStreamLayout.CatalogPath);
        var mirror = ProcessRunner.Run(AppStreamFixture.AppStreamCli, ["validate", "--no-net", "--no-color", published], allowFailure: true);
        Assert.True(mirror.ExitCode == 0, mirror.StandardOutput + mirror.StandardError);
        Assert.Contains("Validation was successful", mirror.StandardOutput, StringComparison.Ordinal);

        var refresh = await fixture.Bus!.RunAsync(PackageKit.PackageKitFixture.Pkcon, ["refresh"]);
        Assert.True(refresh.ExitCode == 0, refresh.StandardOutput + refresh.StandardError);
        var installed = ProcessRunner.Run(AppStreamFixture.AppStreamCli, ["validate", "--no-net", "--no-color", fixture.InstalledCatalog], allowFailure: true);
        Assert.True(installed.ExitCode == 0, installed.StandardOutput + installed.StandardError);
    }

    [Fact]
    public async Task After_refresh_search_and_get_find_the_app_from_our_catalog()
    {
        if (!AppStreamFixture.Ready())
        {
            return;
        }

        var refresh = await fixture.Bus!.RunAsync(PackageKit.PackageKitFixture.Pkcon, ["refresh"]);
        Assert.True(refresh.ExitCode == 0, refresh.StandardOutput + refresh.StandardError);
        Assert.True(File.Exists(fixture.InstalledCatalog), "no catalog at " + fixture.InstalledCatalog);
        string icons = Path.Combine(fixture.System!.Paths.SoftwareCatalog, "icons", fixture.Origin);
        Assert.True(File.Exists(Path.Combine(icons, "64x64", $"{TestApps.AppPackage}_{TestApps.AppId}.png")));
        Assert.True(File.Exists(Path.Combine(icons, "128x128", $"{TestApps.AppPackage}_{TestApps.AppId}.png")));

        using var cache = new TempDirectory("distrid-appstream-cache");
        string cli = AppStreamFixture.AppStreamCli;
        var result = ProcessRunner.Run("/usr/bin/unshare", AppStreamFixture.InCatalogNamespace(fixture.System.Paths.SoftwareCatalog,
            $"""
            {cli} get --no-color --details --cachepath "$1" {TestApps.AppId} && echo ---- &&
            {cli} search --no-color --cachepath "$1" "greets" && echo ----
            """.ReplaceLineEndings(" "), isolateNetwork: false, cache.Path), allowFailure: true);
        string[] parts = result.StandardOutput.Split("----");
        Assert.True(parts.Length >= 3, result.StandardOutput + result.StandardError);

        string get = parts[0];
        Assert.Contains($"Identifier: {TestApps.AppId} [desktop-application]", get, StringComparison.Ordinal);
        Assert.Contains($"Name: {TestApps.AppName}", get, StringComparison.Ordinal);
        Assert.Contains($"Package: {TestApps.AppPackage}", get, StringComparison.Ordinal);
        Assert.Contains($"Icon: {TestApps.AppPackage}_{TestApps.AppId}.png", get, StringComparison.Ordinal);

        string search = parts[1];
        Assert.Contains($"Identifier: {TestApps.AppId}", search, StringComparison.Ordinal);
        Assert.Contains($"Package: {TestApps.AppPackage}", search, StringComparison.Ordinal);

        // The machine's own catalog directory was not written: nothing of our origin is there.
        Assert.False(File.Exists(Path.Combine(DaemonOptionsDefault, "xml", fixture.Origin + ".xml.gz")));
    }

    private const string DaemonOptionsDefault = "/var/cache/swcatalog";
}
