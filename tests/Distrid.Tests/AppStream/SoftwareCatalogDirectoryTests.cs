using System.Formats.Tar;
using System.IO.Compression;
using System.Text;
using System.Xml.Linq;
using Distri.Core.AppStream;
using Distrid.AppStream;
using Distrid.Tests.Support;

namespace Distrid.Tests.AppStream;

/// <summary>
/// The daemon's side of the catalog: the origin is rewritten to the repository's, icons are unpacked only as
/// <c>SIZE/NAME.png</c>, replacing is atomic (XML renamed, icon folder behind a symlink renamed over) and removal leaves
/// nothing of the origin.
/// </summary>
public sealed class SoftwareCatalogDirectoryTests : IDisposable
{
    private const string Origin = "distri-0123456789ab";
    private readonly TempDirectory _dir = new("distrid-swcatalog");

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Install_replace_and_remove_keep_the_layout_libappstream_reads()
    {
        var directory = new SoftwareCatalogDirectory(Path.Combine(_dir.Path, "swcatalog"));
        byte[] catalog = CatalogDocument.WithOrigin(Catalog("org.x.One"), Origin);

        Assert.Equal(2, directory.Install(Origin, catalog, Icons(("64x64/x_one.png", Png(64)), ("128x128/x_one.png", Png(128)))));

        string xml = directory.CatalogPath(Origin);
        Assert.Equal(Path.Combine(_dir.Path, "swcatalog", "xml", Origin + ".xml.gz"), xml);
        var root = XDocument.Parse(CatalogBuildTests.Gunzip(File.ReadAllBytes(xml))).Root!;
        Assert.Equal(Origin, (string?)root.Attribute("origin"));
        Assert.Equal("org.x.One", root.Element("component")!.Element("id")!.Value);
        string icon64 = Path.Combine(directory.IconsLink(Origin), "64x64", "x_one.png");
        Assert.Equal(Png(64), File.ReadAllBytes(icon64));
        Assert.Equal((UnixFileMode)0b110_100_100, File.GetUnixFileMode(xml));
        Assert.Equal((UnixFileMode)0b110_100_100, File.GetUnixFileMode(icon64));
        Assert.NotNull(new FileInfo(directory.IconsLink(Origin)).LinkTarget);

        // Replace: the new icons are in, the old folder is gone, one versioned folder remains.
        directory.Install(Origin, CatalogDocument.WithOrigin(Catalog("org.x.Two"), Origin), Icons(("64x64/x_two.png", Png(64))));
        Assert.True(File.Exists(Path.Combine(directory.IconsLink(Origin), "64x64", "x_two.png")));
        Assert.False(File.Exists(Path.Combine(directory.IconsLink(Origin), "64x64", "x_one.png")));
        Assert.Single(Directory.GetDirectories(Path.Combine(directory.Root, "icons"), "." + Origin + ".*"));

        directory.Remove(Origin);
        Assert.False(File.Exists(xml));
        Assert.Empty(Directory.GetFileSystemEntries(Path.Combine(directory.Root, "icons")));
        Assert.Empty(Directory.GetFileSystemEntries(Path.Combine(directory.Root, "xml")));
    }

    [Theory]
    [InlineData("../escape.png")]
    [InlineData("64x64/../../escape.png")]
    [InlineData("32x32/x.png")]
    [InlineData("64x64/x.svg")]
    [InlineData("64x64/sub/x.png")]
    public void An_icon_archive_with_an_unexpected_entry_is_refused_and_the_old_catalog_stays(string name)
    {
        var directory = new SoftwareCatalogDirectory(Path.Combine(_dir.Path, "swcatalog"));
        directory.Install(Origin, CatalogDocument.WithOrigin(Catalog("org.x.One"), Origin), Icons(("64x64/x_one.png", Png(64))));

        var e = Assert.Throws<AppStreamException>(() =>
            directory.Install(Origin, CatalogDocument.WithOrigin(Catalog("org.x.Two"), Origin), Icons((name, Png(64)))));

        Assert.Contains("unexpected entry", e.Message, StringComparison.Ordinal);
        Assert.Contains("org.x.One", CatalogBuildTests.Gunzip(File.ReadAllBytes(directory.CatalogPath(Origin))), StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(directory.IconsLink(Origin), "64x64", "x_one.png")));
        Assert.Single(Directory.GetDirectories(Path.Combine(directory.Root, "icons"), "." + Origin + ".*"));
        Assert.False(File.Exists(Path.Combine(_dir.Path, "escape.png")));
    }

    [Fact]
    public void A_catalog_with_a_dtd_or_another_root_is_refused()
    {
        byte[] dtd = Gzip("""<?xml version="1.0"?><!DOCTYPE components [<!ENTITY a "b">]><components><component><id>&a;</id></component></components>""");
        Assert.Throws<AppStreamException>(() => CatalogDocument.WithOrigin(dtd, Origin));
        Assert.Throws<AppStreamException>(() => CatalogDocument.WithOrigin(Gzip("<component><id>x</id></component>"), Origin));
        Assert.Throws<AppStreamException>(() => CatalogDocument.WithOrigin(Encoding.UTF8.GetBytes("<components/>"), Origin));
    }

    [Fact]
    public void Only_origins_the_daemon_writes_are_touched()
    {
        var directory = new SoftwareCatalogDirectory(Path.Combine(_dir.Path, "swcatalog"));
        Assert.Throws<ArgumentException>(() => directory.Remove("debian"));
        Assert.Throws<ArgumentException>(() => directory.Remove("distri-../../x"));
        Assert.Equal(CatalogOrigin.For(new Uri("http://127.0.0.1:8080/repo/")), CatalogOrigin.For(new Uri("http://127.0.0.1:8080/repo")));
        Assert.True(CatalogOrigin.IsOurs(CatalogOrigin.For(new Uri("http://127.0.0.1:8080/repo/"))));
    }

    private static byte[] Catalog(string id) => Gzip($"""<?xml version="1.0"?><components version="0.16" origin="distri"><component type="desktop-application"><id>{id}</id><pkgname>x</pkgname><name>X</name><summary>S</summary></component></components>""");

    private static byte[] Png(int size) => TinyPng.Square(size, (1, 2, 3));

    private static byte[] Icons(params (string Name, byte[] Data)[] files)
    {
        var tar = new MemoryStream();
        using (var writer = new TarWriter(tar, TarEntryFormat.Ustar, leaveOpen: true))
        {
            foreach (var (name, data) in files)
            {
                writer.WriteEntry(new UstarTarEntry(TarEntryType.RegularFile, name) { DataStream = new MemoryStream(data) });
            }
        }

        return Gzip(tar.ToArray());
    }

    private static byte[] Gzip(string text) => Gzip(Encoding.UTF8.GetBytes(text));

    private static byte[] Gzip(byte[] data)
    {
        var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Fastest, leaveOpen: true))
        {
            gzip.Write(data);
        }

        return output.ToArray();
    }
}
