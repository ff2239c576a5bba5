using System.Formats.Tar;
using System.IO.Compression;
using System.Text;
using System.Xml;
using System.Xml.Linq;
using Distri.Core.Packages;

namespace Distri.Core.AppStream;

/// <summary>
/// Builds a repository's AppStream catalog from its package images: the newest revision of each package name
/// contributes its components (<see cref="PackageComponents"/>), sorted by id; the first package (by name) that
/// declares an id keeps it. Output reproduces: sorted, fixed gzip level, tar entries with a fixed time and owner.
/// </summary>
public sealed class CatalogBuilder
{
    /// <summary>The collection format version written (libappstream 0.16 of Debian 12 reads it).</summary>
    public const string CollectionVersion = "0.16";

    public string Origin { get; init; } = AppStreamLayout.DefaultOrigin;

    /// <summary>Timestamp of the icon archive's entries (the index's "generated", so that builds reproduce).</summary>
    public DateTimeOffset Timestamp { get; init; } = DateTimeOffset.UnixEpoch;

    public int Parallelism { get; init; } = Environment.ProcessorCount;

    /// <summary>The catalog of <paramref name="images"/> (0 components when no package describes software).</summary>
    public CatalogBuildResult Build(IEnumerable<(PackageName Name, string ImagePath)> images)
    {
        var newest = images
            .GroupBy(i => i.Name.Name, StringComparer.Ordinal)
            .Select(g => g.OrderByDescending(i => i.Name.Revision).ThenBy(i => i.Name.Arch, StringComparer.Ordinal).First())
            .OrderBy(i => i.Name.Name, StringComparer.Ordinal)
            .ToArray();
        var perPackage = new IReadOnlyList<PackageComponent>[newest.Length];
        var warnings = new List<string>[newest.Length];
        Parallel.For(0, newest.Length, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, Parallelism) }, i =>
        {
            var mine = warnings[i] = [];
            perPackage[i] = PackageComponents.Read(newest[i].ImagePath, newest[i].Name, mine.Add);
        });

        var allWarnings = warnings.SelectMany(w => w).ToList();
        var byId = new SortedDictionary<string, PackageComponent>(StringComparer.Ordinal);
        foreach (var component in perPackage.SelectMany(c => c))
        {
            if (!byId.TryAdd(component.Id, component))
            {
                allWarnings.Add($"{component.Package}: component {component.Id} is already declared by {byId[component.Id].Package}; skipped");
            }
        }

        var icons = byId.Values.SelectMany(c => c.Icons)
            .DistinctBy(i => (i.Size, i.FileName))
            .OrderBy(i => i.Size).ThenBy(i => i.FileName, StringComparer.Ordinal)
            .ToList();
        byte[] catalog = Gzip(CollectionXml(byId.Values));
        if (catalog.Length > AppStreamLayout.MaxCatalogFileBytes)
        {
            throw new AppStreamException($"{AppStreamLayout.CatalogPath}: {catalog.Length} bytes, over the limit of {AppStreamLayout.MaxCatalogFileBytes}");
        }

        return new CatalogBuildResult(catalog, IconArchive(icons), byId.Count, icons.Count, allWarnings);
    }

    private byte[] CollectionXml(IEnumerable<PackageComponent> components)
    {
        var root = new XElement("components",
            new XAttribute("version", CollectionVersion),
            new XAttribute("origin", Origin),
            components.Select(c => c.Element));
        using var buffer = new MemoryStream();
        var settings = new XmlWriterSettings { Encoding = new UTF8Encoding(false), Indent = true, IndentChars = "  ", NewLineChars = "\n" };
        using (var writer = XmlWriter.Create(buffer, settings))
        {
            new XDocument(new XDeclaration("1.0", "utf-8", null), root).Save(writer);
        }

        buffer.WriteByte((byte)'\n');
        if (buffer.Length > AppStreamLayout.MaxCatalogXmlBytes)
        {
            throw new AppStreamException($"catalog XML is {buffer.Length} bytes, over the limit of {AppStreamLayout.MaxCatalogXmlBytes}");
        }

        return buffer.ToArray();
    }

    private byte[] IconArchive(IReadOnlyList<CatalogIcon> icons)
    {
        using var tar = new MemoryStream();
        using (var writer = new TarWriter(tar, TarEntryFormat.Ustar, leaveOpen: true))
        {
            foreach (var icon in icons)
            {
                var entry = new UstarTarEntry(TarEntryType.RegularFile, $"{AppStreamLayout.IconDirectory(icon.Size)}/{icon.FileName}")
                {
                    DataStream = new MemoryStream(icon.Png, writable: false),
                    ModificationTime = Timestamp,
                    Mode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead,
                    Uid = 0,
                    Gid = 0,
                };
                writer.WriteEntry(entry);
            }
        }

        return Gzip(tar.ToArray());
    }

    private static byte[] Gzip(byte[] data)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.SmallestSize, leaveOpen: true))
        {
            gzip.Write(data);
        }

        return output.ToArray();
    }
}
