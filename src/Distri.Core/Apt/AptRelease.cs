using System.Globalization;

namespace Distri.Core.Apt;

/// <summary>A file the Release file vouches for: its path relative to dists/SUITE/, size and sha256.</summary>
public sealed record ReleaseFile(string Path, long Size, string Sha256);

/// <summary>
/// The parts of a (verified) Release file the importer uses: the SHA256 list, the components and architectures.
/// MD5Sum and SHA1 are ignored: only SHA256 counts as a verification.
/// </summary>
public sealed class AptRelease
{
    private readonly Dictionary<string, ReleaseFile> _files;

    private AptRelease(Dictionary<string, ReleaseFile> files, IReadOnlyList<string> components, IReadOnlyList<string> architectures)
    {
        _files = files;
        Components = components;
        Architectures = architectures;
    }

    public IReadOnlyList<string> Components { get; }

    public IReadOnlyList<string> Architectures { get; }

    public static AptRelease Parse(string text)
    {
        var paragraph = Deb822Reader.ReadParagraphs(new StringReader(text)).FirstOrDefault()
            ?? throw new InvalidDataException("Release file is empty");
        if (!paragraph.TryGetValue("SHA256", out string? list))
        {
            throw new InvalidDataException("Release file has no SHA256 list");
        }

        var files = new Dictionary<string, ReleaseFile>(StringComparer.Ordinal);
        foreach (string line in list.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            string[] parts = line.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length != 3 || parts[0].Length != 64 || !parts[0].All(char.IsAsciiHexDigit)
                || !long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out long size))
            {
                throw new InvalidDataException($"Release file: malformed SHA256 line '{line}'");
            }

            files[parts[2]] = new ReleaseFile(parts[2], size, parts[0].ToLowerInvariant());
        }

        static string[] Words(Dictionary<string, string> p, string field) =>
            p.TryGetValue(field, out string? v) ? v.Split([' ', '\t', '\n'], StringSplitOptions.RemoveEmptyEntries) : [];
        return new AptRelease(files, Words(paragraph, "Components"), Words(paragraph, "Architectures"));
    }

    public ReleaseFile? Find(string path) => _files.GetValueOrDefault(path);
}
