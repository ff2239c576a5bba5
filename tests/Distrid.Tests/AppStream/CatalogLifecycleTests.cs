using Distri.Core.AppStream;
using Distrid.AppStream;
using Distrid.Tests.Support;

namespace Distrid.Tests.AppStream;

/// <summary>
/// The daemon installs a repository's catalog after verifying it against the signed index, and removes it when the
/// repository goes (the next start without it); a catalog that does not match the index is never installed.
/// </summary>
public sealed class CatalogLifecycleTests
{
    [Fact]
    public async Task The_catalog_is_installed_after_the_index_and_removed_when_the_repository_goes()
    {
        await using var system = CreateWithApp();
        if (system is null)
        {
            return;
        }

        string origin = CatalogOrigin.For(system.Mirror.Url);
        string xml = CatalogXml(system, origin);
        string icons = Path.Combine(system.Paths.SoftwareCatalog, "icons", origin);
        var daemon = await system.StartDaemonAsync();
        await daemon.WaitForLogAsync($"AppStream catalog {origin} installed");
        Assert.True(File.Exists(xml));
        Assert.Contains($"origin=\"{origin}\"", CatalogBuildTests.Gunzip(File.ReadAllBytes(xml)), StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(icons, "64x64", $"{TestApps.AppPackage}_{TestApps.AppId}.png")));

        // Somebody else's catalog in the same directory is not ours to remove.
        string foreign = Path.Combine(system.Paths.SoftwareCatalog, "xml", "debian.xml.gz");
        await File.WriteAllTextAsync(foreign, "not ours");

        Assert.Equal(0, await daemon.StopAsync());
        await using var without = await DaemonProcess.StartAsync(system.Paths);
        await without.WaitForLogAsync($"AppStream catalog {origin} removed: its repository is no longer configured");

        Assert.False(File.Exists(xml));
        Assert.False(Directory.Exists(icons) || File.Exists(icons));
        Assert.Empty(Directory.GetDirectories(Path.Combine(system.Paths.SoftwareCatalog, "icons")));
        Assert.True(File.Exists(foreign));
    }

    [Fact]
    public async Task Repo_disable_at_run_time_removes_the_catalog_and_enable_brings_it_back()
    {
        await using var system = CreateWithApp();
        if (system is null)
        {
            return;
        }

        string origin = CatalogOrigin.For(system.Mirror.Url);
        string xml = CatalogXml(system, origin);
        // Repositories from the configuration (not --repo) are the ones 'districtl repo' manages at run time.
        await File.WriteAllTextAsync(system.Paths.Config, $$"""{ "repos": ["{{system.Mirror.Url}}"] }""");
        await using var daemon = await DaemonProcess.StartAsync(system.Paths, "--trusted-keys", system.Mirror.TrustedKeys);
        await daemon.WaitForLogAsync($"AppStream catalog {origin} installed");

        var disable = await system.CliAsync("repo", "disable", system.Mirror.Url.ToString());
        Assert.True(disable.ExitCode == 0, disable.Stderr);
        Assert.False(File.Exists(xml)); // removed before the change is reported
        Assert.False(File.Exists(Path.Combine(system.Paths.SoftwareCatalog, "icons", origin)));

        var enable = await system.CliAsync("repo", "enable", system.Mirror.Url.ToString());
        Assert.True(enable.ExitCode == 0, enable.Stderr);
        var dryRun = await system.CliAsync("install", "--dry-run", TestApps.AppPackage); // a transaction fetches every enabled index
        Assert.True(dryRun.ExitCode == 0, dryRun.Stderr);
        Assert.True(File.Exists(xml));
    }

    [Fact]
    public async Task A_catalog_that_does_not_match_the_signed_index_is_not_installed()
    {
        string? catalog = null;
        await using var system = MirroredSystem.TryCreate(mirror =>
        {
            TestApps.Pack(Path.Combine(mirror.Repository, "pkg"), TestApps.AppFullName, TestApps.WriteApp, mirror.Root);
            catalog = Path.Combine(mirror.Repository, AppStreamLayout.CatalogPath);
        });
        if (system is null)
        {
            return;
        }

        // After signing: same size, other bytes.
        byte[] bytes = await File.ReadAllBytesAsync(catalog!);
        bytes[^5] ^= 0xff;
        await File.WriteAllBytesAsync(catalog!, bytes);

        string origin = CatalogOrigin.For(system.Mirror.Url);
        var daemon = await system.StartDaemonAsync();
        await daemon.WaitForLogAsync($"AppStream catalog {origin} not updated");

        Assert.Contains("does not match the signed index", daemon.Stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(CatalogXml(system, origin)));
        var status = await system.CliAsync("search", "gshello");
        Assert.True(status.ExitCode == 0, status.Stderr); // the repository itself still serves
    }

    /// <summary>A mirror that serves the test app (and so an AppStream catalog).</summary>
    private static MirroredSystem? CreateWithApp() => MirroredSystem.TryCreate(mirror =>
        TestApps.Pack(Path.Combine(mirror.Repository, "pkg"), TestApps.AppFullName, TestApps.WriteApp, mirror.Root));

    /// <summary>Where the daemon installs the catalog of <paramref name="origin"/>.</summary>
    private static string CatalogXml(MirroredSystem system, string origin) => Path.Combine(system.Paths.SoftwareCatalog, "xml", origin + ".xml.gz");
}
