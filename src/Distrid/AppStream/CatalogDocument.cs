using System.IO.Compression;
using System.Text;
using System.Xml;
using System.Xml.Linq;
using Distri.Core.AppStream;

namespace Distrid.AppStream;

/// <summary>
/// A downloaded catalog (verified against the signed index) made ready for libappstream: decompressed within
/// <see cref="AppStreamLayout.MaxCatalogXmlBytes"/>, parsed without DTDs or entities, checked to be a
/// <c>&lt;components&gt;</c> collection, and given the installing repository's origin (which names its icon folder).
/// </summary>
internal static class CatalogDocument
{
    public static byte[] WithOrigin(byte[] catalogGz, string origin)
    {
        XDocument document;
        try
        {
            using var gzip = new GZipStream(new MemoryStream(catalogGz, writable: false), CompressionMode.Decompress);
            using var bounded = new BoundedReadStream(gzip, AppStreamLayout.MaxCatalogXmlBytes);
            using var reader = XmlReader.Create(bounded, new XmlReaderSettings
            {
                DtdProcessing = DtdProcessing.Prohibit,
                XmlResolver = null,
                MaxCharactersFromEntities = 0,
            });
            document = XDocument.Load(reader);
        }
        catch (Exception e) when (e is XmlException or InvalidDataException)
        {
            throw new AppStreamException($"{AppStreamLayout.CatalogPath}: not a readable catalog ({e.Message.ReplaceLineEndings(" ")})", e);
        }

        if (document.Root is not { Name.LocalName: "components" } root)
        {
            throw new AppStreamException($"{AppStreamLayout.CatalogPath}: the root element is not <components>");
        }

        root.SetAttributeValue("origin", origin);
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Fastest, leaveOpen: true))
        using (var writer = XmlWriter.Create(gzip, new XmlWriterSettings { Encoding = new UTF8Encoding(false), Indent = true }))
        {
            document.Save(writer);
        }

        return output.ToArray();
    }
}
