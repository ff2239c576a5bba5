using System.Text.Json.Serialization;

namespace Distri.Core.Packages;

/// <summary>
/// What travels beside an image (<c>&lt;fullname&gt;.meta.json</c>) and in the repository index: identity, summary,
/// runtime dependencies as full names, and the image's size and sha256 (lowercase hex).
/// </summary>
public sealed record PackageMetadata
{
    [JsonPropertyName("fullName")]
    public required string FullName { get; init; }

    [JsonPropertyName("summary")]
    public string Summary { get; init; } = "";

    [JsonPropertyName("dependencies")]
    public IReadOnlyList<string> Dependencies { get; init; } = [];

    [JsonPropertyName("size")]
    public long Size { get; init; }

    [JsonPropertyName("sha256")]
    public string Sha256 { get; init; } = "";

    /// <summary>
    /// What the package's Debian maintainer scripts would have changed on the host (users, groups, file
    /// capabilities), recorded at import instead of done; null (and absent from the JSON) when there is nothing.
    /// </summary>
    [JsonPropertyName("hostRequirements")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<string>? HostRequirements { get; init; }

    [JsonIgnore]
    public PackageName Name => PackageName.Parse(FullName);

    public const string ImageExtension = ".squashfs";
    public const string MetadataExtension = ".meta.json";
}

[JsonSourceGenerationOptions(WriteIndented = true, PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(PackageMetadata))]
public sealed partial class PackageMetadataJsonContext : JsonSerializerContext;
