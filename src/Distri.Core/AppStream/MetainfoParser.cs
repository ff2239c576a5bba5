using System.Xml;
using System.Xml.Linq;

namespace Distri.Core.AppStream;

/// <summary>
/// Reads one upstream metainfo file (<c>share/metainfo/*.xml</c>, <c>*.appdata.xml</c>) into the <c>&lt;component&gt;</c>
/// element a catalog holds: no DTD, no external entities, bounded size; the id must be a plain reverse-DNS-like name
/// and the component must say what it is called (name, summary) or leave that to its desktop file.
/// </summary>
internal static class MetainfoParser
{
    public const int MaxIdLength = 255;

    /// <summary>Elements only a metainfo file carries (about the file, not the software): a catalog leaves them out.</summary>
    private static readonly string[] MetainfoOnly = ["metadata_license", "update_contact", "updatecontact", "pkgname", "source_pkgname"];

    public static XElement Parse(byte[] bytes, string where)
    {
        if (bytes.Length > AppStreamLayout.MaxMetainfoBytes)
        {
            throw new AppStreamException($"{where}: over {AppStreamLayout.MaxMetainfoBytes} bytes");
        }

        XDocument document;
        try
        {
            using var stream = new MemoryStream(bytes, writable: false);
            using var reader = XmlReader.Create(stream, SafeSettings(AppStreamLayout.MaxMetainfoBytes));
            document = XDocument.Load(reader, LoadOptions.None);
        }
        catch (XmlException e)
        {
            throw new AppStreamException($"{where}: not well-formed XML (line {e.LineNumber}: {OneLine(e.Message)})", e);
        }

        var component = document.Root;
        if (component is null || component.Name != "component")
        {
            throw new AppStreamException($"{where}: the root element is <{component?.Name.LocalName}>, not <component>");
        }

        string id = component.Element("id")?.Value.Trim() ?? "";
        if (!IsValidId(id))
        {
            throw new AppStreamException($"{where}: missing or invalid <id> (letters, digits, '.', '_', '-'; at most {MaxIdLength})");
        }

        foreach (var element in component.Elements().Where(e => MetainfoOnly.Contains(e.Name.LocalName)).ToList())
        {
            element.Remove();
        }

        // Upstream icons name files of the installed system; the catalog carries its own cached copies instead.
        foreach (var icon in component.Elements("icon").Where(i => (string?)i.Attribute("type") is not ("stock" or "remote")).ToList())
        {
            icon.Remove();
        }

        component.Element("id")!.Value = id;
        return new XElement(component);
    }

    public static bool IsValidId(string id) =>
        id.Length is > 0 and <= MaxIdLength && id.AsSpan().IndexOfAnyExcept("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") < 0
        && char.IsAsciiLetterOrDigit(id[0]);

    /// <summary>No DTD processing and no resolver: entity expansion and external fetches are impossible.</summary>
    public static XmlReaderSettings SafeSettings(long maxCharacters) => new()
    {
        DtdProcessing = DtdProcessing.Ignore,
        XmlResolver = null,
        MaxCharactersInDocument = maxCharacters,
        MaxCharactersFromEntities = 0,
        IgnoreComments = true,
        IgnoreWhitespace = true,
        IgnoreProcessingInstructions = true,
    };

    private static string OneLine(string text) => text.ReplaceLineEndings(" ");
}
