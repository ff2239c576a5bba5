using System.Xml.Linq;
using Distri.Core.AppStream;
using Distri.Core.Tests.Support;
using Distrid.Tests.Import;
using Distrid.Tests.Support;

namespace Distrid.Tests.AppStream;

/// <summary>
/// <c>repo import-apt --key</c> indexes through the same builder as <c>repo build</c>: a Debian package that ships
/// <c>usr/share/metainfo</c>, a desktop file and icons becomes a catalog component named by the imported package, and
/// the closure's other packages (dash's, for /bin/sh) add none.
/// </summary>
public sealed class ImportAptCatalogTests
{
    [Fact]
    public async Task An_imported_deb_with_metainfo_is_in_the_catalog()
    {
        if (!Requirements.Tools("/usr/bin/apt-ftparchive", "/usr/bin/gpg", "/usr/bin/gpgv", "/usr/bin/dpkg-deb", NginxFixture.NginxPath))
        {
            return;
        }

        using var temp = new TempDirectory("distrid-import-appstream");
        string tree = Path.Combine(temp.Path, "deb");
        TestApps.WriteApp(Path.Combine(tree, "usr"));
        Directory.CreateDirectory(Path.Combine(tree, "DEBIAN"));
        await File.WriteAllTextAsync(Path.Combine(tree, "DEBIAN", "control"),
            "Package: gshello\nVersion: 1.0-1\nArchitecture: all\nMaintainer: Distrid <test@test.invalid>\nDescription: GS Hello\n Test application.\n");
        string deb = Path.Combine(temp.Path, "gshello_1.0-1_all.deb");
        ProcessRunner.Run("/usr/bin/dpkg-deb", ["--root-owner-group", "-b", tree, deb]);

        using var archive = new TestAptArchive();
        string root = Path.Combine(temp.Path, "archive");
        // Every closure holds /bin/sh (dash's closure), as in the import tests' archive.
        archive.Publish(root, [deb, .. DebCache.Ensure(DebCache.CurlAndShell)]);
        using var nginx = NginxFixture.TryStart(root);
        if (nginx is null)
        {
            return;
        }

        string repo = Path.Combine(temp.Path, "repo");
        string key = Path.Combine(temp.Path, "repokey");
        var keygen = await Cli.RunAsync(["keygen", key]);
        Assert.True(keygen.ExitCode == 0, keygen.Stderr);
        var import = await Cli.RunAsync(["repo", "import-apt", "--source", nginx.BaseUri.AbsoluteUri, "--suite", TestAptArchive.Suite,
            "gshello", "-o", repo, "--cache", Path.Combine(temp.Path, "cache"), "--keyring", archive.Keyring, "--key", key]);
        Assert.True(import.ExitCode == 0, import.Stderr);

        var catalog = XDocument.Parse(CatalogBuildTests.Gunzip(await File.ReadAllBytesAsync(Path.Combine(repo, AppStreamLayout.CatalogPath))));
        var component = Assert.Single(catalog.Root!.Elements("component"));
        Assert.Equal(TestApps.AppId, component.Element("id")!.Value);
        Assert.Equal("gshello", component.Element("pkgname")!.Value);
        Assert.Equal(2, component.Elements("icon").Count());
        Assert.Contains("\"appstream\"", await File.ReadAllTextAsync(Path.Combine(repo, "index.json")), StringComparison.Ordinal);
    }
}
