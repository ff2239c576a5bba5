using System.Globalization;

namespace Distri.Core.Apt;

/// <summary>One binary package paragraph of a Packages index: what resolution and download need.</summary>
public sealed record AptPackage
{
    public required string Package { get; init; }

    public required string Version { get; init; }

    public required string Architecture { get; init; }

    /// <summary>Path of the .deb relative to the archive root (pool/...).</summary>
    public required string Filename { get; init; }

    public required long Size { get; init; }

    public required string Sha256 { get; init; }

    private IReadOnlyList<IReadOnlyList<Relation>>? _depends;

    /// <summary>The fields a Packages paragraph must keep for <see cref="FromParagraph"/>.</summary>
    public static readonly IReadOnlySet<string> Fields = new HashSet<string>(
        ["Package", "Version", "Architecture", "Filename", "Size", "SHA256", "Pre-Depends", "Depends", "Provides", "Multi-Arch", "Essential"],
        StringComparer.OrdinalIgnoreCase);

    /// <summary>Raw Pre-Depends and Depends, parsed on first use: only the closure's members are ever looked at.</summary>
    public string? DependsText { get; init; }

    /// <summary>Pre-Depends then Depends.</summary>
    public IReadOnlyList<IReadOnlyList<Relation>> Depends
    {
        get => _depends ??= Relation.ParseGroups(DependsText);
        init => _depends = value;
    }

    public IReadOnlyList<Relation> Provides { get; init; } = [];

    /// <summary>"same", "foreign", "allowed" or "no".</summary>
    public string MultiArch { get; init; } = "no";

    public bool Essential { get; init; }

    public override string ToString() => $"{Package} {Version} ({Architecture})";

    public static AptPackage FromParagraph(Dictionary<string, string> p)
    {
        string Required(string field) =>
            p.TryGetValue(field, out string? value) && value.Length > 0
                ? value
                : throw new InvalidDataException($"Packages index: {p.GetValueOrDefault("Package") ?? "a paragraph"} has no {field} field");
        string sha = Required("SHA256").ToLowerInvariant();
        if (sha.Length != 64 || !sha.All(char.IsAsciiHexDigit))
        {
            throw new InvalidDataException($"Packages index: {p["Package"]}: malformed SHA256");
        }

        if (!long.TryParse(Required("Size"), NumberStyles.None, CultureInfo.InvariantCulture, out long size))
        {
            throw new InvalidDataException($"Packages index: {p.GetValueOrDefault("Package")}: malformed Size");
        }

        string filename = Required("Filename");
        if (filename.StartsWith('/') || filename.Split('/').Any(part => part is ".." or "."))
        {
            throw new InvalidDataException($"Packages index: {p["Package"]}: unsafe Filename '{filename}'");
        }

        return new AptPackage
        {
            Package = Required("Package"),
            Version = Required("Version"),
            Architecture = Required("Architecture"),
            Filename = filename,
            Size = size,
            Sha256 = sha,
            DependsText = string.Join(", ", new[] { p.GetValueOrDefault("Pre-Depends"), p.GetValueOrDefault("Depends") }.Where(f => !string.IsNullOrWhiteSpace(f))),
            Provides = [.. Relation.ParseGroups(p.GetValueOrDefault("Provides")).Select(group => group[0])],
            MultiArch = p.GetValueOrDefault("Multi-Arch") ?? "no",
            Essential = string.Equals(p.GetValueOrDefault("Essential"), "yes", StringComparison.OrdinalIgnoreCase),
        };
    }
}
