using System.Text.Json;
using System.Text.Json.Serialization;
using Distri.Core.Packages;

namespace Distri.Core.Repository;

/// <summary>
/// The contents of a mirror's <c>index.json</c>: every package with its metadata and digests. Only ever built from bytes
/// whose signature was verified (<see cref="Parse"/> is called by <see cref="TrustedKeys.VerifyAndParse"/>) or by the
/// repository builder.
/// </summary>
public sealed record RepositoryIndex
{
    public const int CurrentFormatVersion = 1;

    [JsonPropertyName("formatVersion")]
    public required int FormatVersion { get; init; }

    /// <summary>When the index was generated (from SOURCE_DATE_EPOCH or the newest image, so that builds reproduce).</summary>
    [JsonPropertyName("generated")]
    public required DateTimeOffset Generated { get; init; }

    /// <summary>Every package, sorted by full name (ordinal).</summary>
    [JsonPropertyName("packages")]
    public required IReadOnlyList<IndexEntry> Packages { get; init; }

    /// <summary>The AppStream catalog of the repository's software, when it has one (older clients ignore it).</summary>
    [JsonPropertyName("appstream")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public AppStreamFiles? AppStream { get; init; }

    /// <summary>The entry of <paramref name="fullName"/>, or null. Linear: the daemon builds its own lookup tables.</summary>
    public IndexEntry? Find(string fullName)
    {
        foreach (var entry in Packages)
        {
            if (string.Equals(entry.FullName, fullName, StringComparison.Ordinal))
            {
                return entry;
            }
        }

        return null;
    }

    /// <summary>Parses and validates index bytes. Throws <see cref="RepositoryException"/> naming the first bad entry.</summary>
    public static RepositoryIndex Parse(ReadOnlySpan<byte> utf8Json)
    {
        RepositoryIndex? index;
        try
        {
            index = JsonSerializer.Deserialize(utf8Json, RepositoryJsonContext.Default.RepositoryIndex);
        }
        catch (JsonException e)
        {
            throw new RepositoryException($"{RepositoryLayout.IndexFile}: not a valid index ({e.Message})", e);
        }

        if (index is null)
        {
            throw new RepositoryException($"{RepositoryLayout.IndexFile}: not a valid index (null)");
        }

        IndexValidator.Validate(index);
        return index;
    }

    /// <summary>The canonical serialized form (indented UTF-8 JSON, trailing newline): what the builder signs.</summary>
    public byte[] ToUtf8Json()
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            JsonSerializer.Serialize(writer, this, RepositoryJsonContext.Default.RepositoryIndex);
        }

        buffer.WriteByte((byte)'\n');
        return buffer.ToArray();
    }
}

/// <summary>
/// One package of the index. Its JSON is a superset of <see cref="PackageMetadata"/>'s (same property names), plus the
/// optional compressed transport copy.
/// </summary>
public sealed record IndexEntry
{
    [JsonPropertyName("fullName")]
    public required string FullName { get; init; }

    [JsonPropertyName("summary")]
    public string Summary { get; init; } = "";

    [JsonPropertyName("dependencies")]
    public IReadOnlyList<string> Dependencies { get; init; } = [];

    /// <summary>Size of the uncompressed image in bytes.</summary>
    [JsonPropertyName("size")]
    public long Size { get; init; }

    /// <summary>sha256 of the uncompressed image, lowercase hex.</summary>
    [JsonPropertyName("sha256")]
    public string Sha256 { get; init; } = "";

    /// <summary>The <c>pkg/&lt;fullname&gt;.squashfs.zst</c> copy, when the mirror has one.</summary>
    [JsonPropertyName("zst")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public TransportFile? Zst { get; init; }

    [JsonIgnore]
    public PackageMetadata Metadata => new()
    {
        FullName = FullName,
        Summary = Summary,
        Dependencies = Dependencies,
        Size = Size,
        Sha256 = Sha256,
    };

    public static IndexEntry FromMetadata(PackageMetadata metadata, TransportFile? zst) => new()
    {
        FullName = metadata.FullName,
        Summary = metadata.Summary,
        Dependencies = metadata.Dependencies,
        Size = metadata.Size,
        Sha256 = metadata.Sha256,
        Zst = zst,
    };
}

/// <summary>Size and sha256 (lowercase hex) of a file as it travels over the network.</summary>
public sealed record TransportFile
{
    [JsonPropertyName("size")]
    public required long Size { get; init; }

    [JsonPropertyName("sha256")]
    public required string Sha256 { get; init; }
}

[JsonSourceGenerationOptions(WriteIndented = true, PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(RepositoryIndex))]
[JsonSerializable(typeof(IndexSignature))]
internal sealed partial class RepositoryJsonContext : JsonSerializerContext;
