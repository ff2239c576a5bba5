using System.Formats.Tar;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Xml.Linq;
using Distri.Core.AppStream;
using Distri.Core.Repository;
using Distrid.Tests.Support;

namespace Distrid.Tests.AppStream;

/// <summary>
/// <c>repo build</c> collects the packages' metainfo, desktop files and icons into an AppStream catalog that the
/// signed index names; malformed AppStream data of one package is reported and skipped, never fails the build.
/// </summary>
public sealed class CatalogBuildTests : IDisposable
{
    private readonly TempDirectory _dir = new("distrid-appstream");

    private string Repo => Path.Combine(_dir.Path, "repo");

    private string PkgDir => Path.Combine(Repo, "pkg");

    private string KeyPrefix => Path.Combine(_dir.Path, "key");

    public CatalogBuildTests()
    {
        Directory.CreateDirectory(PkgDir);
        using var key = RepositoryKey.Generate();
        key.Save(KeyPrefix);
    }

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void The_catalog_holds_the_app_with_its_package_name_and_icons_and_the_signed_index_names_it()
    {
        TestApps.Pack(PkgDir, TestApps.AppFullName, TestApps.WriteApp, _dir.Path);
        TestApps.Pack(PkgDir, "plain-amd64-1.0-1", t => TestApps.Write(t, "bin/plain", "x"), _dir.Path);

        var result = new RepositoryBuilder { ZstdLevel = 1 }.Run(Repo, KeyPrefix);

        Assert.Equal(1, result.AppStreamComponents);
        Assert.Empty(result.Warnings);
        var files = Assert.IsType<AppStreamFiles>(result.Index.AppStream);
        byte[] catalogGz = File.ReadAllBytes(Path.Combine(Repo, AppStreamLayout.CatalogPath));
        byte[] iconsGz = File.ReadAllBytes(Path.Combine(Repo, AppStreamLayout.IconsPath));
        Assert.Equal(Sha256(catalogGz), files.Catalog.Sha256);
        Assert.Equal(catalogGz.Length, files.Catalog.Size);
        Assert.Equal(Sha256(iconsGz), files.Icons.Sha256);

        // What a client verifies against the signature carries the same digests.
        using var trusted = new TrustedKeys([RepositoryKey.LoadPublic(KeyPrefix + RepositoryKey.PublicKeyExtension)]);
        var verified = trusted.VerifyAndParse(File.ReadAllBytes(result.IndexPath), File.ReadAllBytes(result.SignaturePath!));
        Assert.Equal(files, verified.AppStream);

        var root = XDocument.Parse(Gunzip(catalogGz)).Root!;
        Assert.Equal("components", root.Name.LocalName);
        Assert.Equal(AppStreamLayout.DefaultOrigin, (string?)root.Attribute("origin"));
        var component = Assert.Single(root.Elements("component"));
        Assert.Equal(TestApps.AppId, component.Element("id")!.Value);
        Assert.Equal(TestApps.AppPackage, component.Element("pkgname")!.Value);
        Assert.Equal(TestApps.AppName, component.Element("name")!.Value);
        Assert.Null(component.Element("metadata_license"));
        Assert.Equal("Utility", component.Element("categories")!.Element("category")!.Value);
        var icons = component.Elements("icon").ToList();
        Assert.All(icons, i => Assert.Equal("cached", (string?)i.Attribute("type")));
        Assert.Equal(["64", "128"], icons.Select(i => (string)i.Attribute("width")!));
        string iconName = $"{TestApps.AppPackage}_{TestApps.AppId}.png";
        Assert.All(icons, i => Assert.Equal(iconName, i.Value));

        var entries = ReadTar(iconsGz);
        Assert.Equal([$"64x64/{iconName}", $"128x128/{iconName}"], entries.Keys);
        Assert.Equal(TinyPng.Square(128, TestApps.IconColor), entries[$"128x128/{iconName}"]);
    }

    [Fact]
    public void Malformed_metainfo_is_reported_and_skipped_and_the_rest_is_built()
    {
        TestApps.Pack(PkgDir, TestApps.AppFullName, TestApps.WriteApp, _dir.Path);
        TestApps.Pack(PkgDir, "broken-amd64-1.0-1", t => TestApps.Write(t, "share/metainfo/org.x.Broken.metainfo.xml", "<component><id>org.x.Broken</id><name>"), _dir.Path);
        TestApps.Pack(PkgDir, "noid-amd64-1.0-1", t => TestApps.Write(t, "share/metainfo/noid.xml", "<component><name>n</name><summary>s</summary></component>"), _dir.Path);
        TestApps.Pack(PkgDir, "entity-amd64-1.0-1", t => TestApps.Write(t, "share/metainfo/e.xml",
            """<?xml version="1.0"?><!DOCTYPE c [<!ENTITY a "aaaaaaaa">]><component><id>org.x.E</id><name>&a;</name><summary>s</summary></component>"""), _dir.Path);
        TestApps.Pack(PkgDir, "huge-amd64-1.0-1", t => TestApps.Write(t, "share/metainfo/org.x.Huge.xml",
            "<component><id>org.x.Huge</id><name>h</name><summary>" + new string('h', AppStreamLayout.MaxMetainfoBytes) + "</summary></component>"), _dir.Path);
        TestApps.Pack(PkgDir, "escape-amd64-1.0-1", t =>
        {
            TestApps.Write(t, "share/metainfo/org.x.Escape.xml", "<component><id>org.x.Escape</id><name>e</name><summary>s</summary></component>");
            Directory.CreateDirectory(Path.Combine(t, "share/applications"));
            File.CreateSymbolicLink(Path.Combine(t, "share/applications/org.x.Escape.desktop"), "/etc/passwd");
        }, _dir.Path);
        TestApps.Pack(PkgDir, "twin-amd64-1.0-1", t => TestApps.Write(t, $"share/metainfo/{TestApps.AppId}.xml",
            $"<component><id>{TestApps.AppId}</id><name>twin</name><summary>s</summary></component>"), _dir.Path);

        var result = new RepositoryBuilder { ZstdLevel = 1 }.Run(Repo, KeyPrefix);

        Assert.Equal(7, result.Index.Packages.Count);
        Assert.Contains(result.Warnings, w => w.StartsWith("broken-amd64-1.0-1: share/metainfo/org.x.Broken.metainfo.xml: not well-formed XML", StringComparison.Ordinal));
        Assert.Contains(result.Warnings, w => w.StartsWith("noid-amd64-1.0-1: share/metainfo/noid.xml: missing or invalid <id>", StringComparison.Ordinal));
        Assert.Contains(result.Warnings, w => w.StartsWith("entity-amd64-1.0-1: share/metainfo/e.xml: not well-formed XML", StringComparison.Ordinal));
        Assert.Contains(result.Warnings, w => w.Contains("huge-amd64-1.0-1", StringComparison.Ordinal) && w.Contains("over the limit", StringComparison.Ordinal));
        Assert.Contains(result.Warnings, w => w.StartsWith($"twin: component {TestApps.AppId} is already declared by gshello", StringComparison.Ordinal));
        Assert.All(result.Warnings, w => Assert.DoesNotContain('\n', w));

        // The symlink out of the image is not followed: the component has no desktop file (no launchable, no icon).
        var ids = XDocument.Parse(Gunzip(File.ReadAllBytes(Path.Combine(Repo, AppStreamLayout.CatalogPath)))).Root!.Elements("component")
            .ToDictionary(c => c.Element("id")!.Value, c => c);
        Assert.Equal([TestApps.AppId, "org.x.Escape"], ids.Keys.Order(StringComparer.Ordinal));
        Assert.Null(ids["org.x.Escape"].Element("launchable"));
        Assert.Equal("gshello", ids[TestApps.AppId].Element("pkgname")!.Value);
    }

    [Fact]
    public void A_rebuild_without_any_metainfo_removes_the_old_catalog()
    {
        TestApps.Pack(PkgDir, TestApps.AppFullName, TestApps.WriteApp, _dir.Path);
        TestApps.Pack(PkgDir, "plain-amd64-1.0-1", t => TestApps.Write(t, "bin/plain", "x"), _dir.Path);
        new RepositoryBuilder { ZstdLevel = 1 }.Run(Repo, KeyPrefix);
        Assert.True(File.Exists(Path.Combine(Repo, AppStreamLayout.CatalogPath)));

        foreach (string file in Directory.GetFiles(PkgDir, TestApps.AppFullName + ".*"))
        {
            File.Delete(file);
        }

        var result = new RepositoryBuilder { ZstdLevel = 1 }.Run(Repo, KeyPrefix);

        Assert.Null(result.Index.AppStream);
        Assert.DoesNotContain("appstream", File.ReadAllText(result.IndexPath), StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(Repo, AppStreamLayout.CatalogPath)));
        Assert.False(File.Exists(Path.Combine(Repo, AppStreamLayout.IconsPath)));
    }

    [Fact]
    public void An_index_with_a_bad_catalog_digest_is_rejected()
    {
        string json = """
            {"formatVersion":1,"generated":"2026-01-01T00:00:00+00:00","packages":[],
             "appstream":{"catalog":{"size":10,"sha256":"xyz"},"icons":{"size":1,"sha256":"0000000000000000000000000000000000000000000000000000000000000000"}}}
            """;
        var e = Assert.Throws<RepositoryException>(() => RepositoryIndex.Parse(System.Text.Encoding.UTF8.GetBytes(json)));
        Assert.Contains("appstream catalog: sha256", e.Message, StringComparison.Ordinal);
    }

    internal static string Gunzip(byte[] gz)
    {
        using var gzip = new GZipStream(new MemoryStream(gz), CompressionMode.Decompress);
        using var reader = new StreamReader(gzip);
        return reader.ReadToEnd();
    }

    internal static Dictionary<string, byte[]> ReadTar(byte[] tarGz)
    {
        var entries = new Dictionary<string, byte[]>();
        using var gzip = new GZipStream(new MemoryStream(tarGz), CompressionMode.Decompress);
        using var tar = new TarReader(gzip);
        while (tar.GetNextEntry() is { } entry)
        {
            var data = new MemoryStream();
            entry.DataStream?.CopyTo(data);
            entries.Add(entry.Name, data.ToArray());
        }

        return entries;
    }

    private static string Sha256(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));
}
