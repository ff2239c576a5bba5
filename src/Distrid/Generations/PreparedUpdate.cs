using System.Text.Json.Serialization;

namespace Distrid.Generations;

/// <summary>
/// What <c>update --download-only</c> prepared: the generation it planned (not yet numbered), the generation it was
/// planned on, and the images it fetched and verified, each with the sha256 the signed index gave. <c>update
/// --apply-downloaded</c> commits exactly <see cref="Next"/>, and only while <see cref="Base"/> is still current and
/// every image is in the store with that digest.
/// </summary>
public sealed record PreparedUpdate
{
    public const int CurrentFormat = 1;

    [JsonPropertyName("format")]
    public int Format { get; init; } = CurrentFormat;

    /// <summary>The generation that was current when the update was planned; the plan is stale once another is.</summary>
    [JsonPropertyName("base")]
    public required int Base { get; init; }

    [JsonPropertyName("prepared")]
    public required DateTimeOffset Prepared { get; init; }

    /// <summary>The planned generation, numbered at commit.</summary>
    [JsonPropertyName("next")]
    public required Generation Next { get; init; }

    /// <summary>The images <see cref="Next"/> has and <see cref="Base"/> lacks.</summary>
    [JsonPropertyName("images")]
    public required IReadOnlyList<PreparedImage> Images { get; init; }
}

/// <summary>One image of a prepared update, with the size and sha256 it was verified against.</summary>
public sealed record PreparedImage(
    [property: JsonPropertyName("fullName")] string FullName,
    [property: JsonPropertyName("size")] long Size,
    [property: JsonPropertyName("sha256")] string Sha256);

[JsonSourceGenerationOptions(WriteIndented = true)]
[JsonSerializable(typeof(PreparedUpdate))]
internal sealed partial class PreparedUpdateJsonContext : JsonSerializerContext;
