using System.Text.Json.Serialization;

namespace Distrid.Generations;

/// <summary>
/// One generation: the set of installed packages (full names) and the pins that hold names at a full name.
/// Immutable once written; every mutating transaction writes a new one and makes it current atomically.
/// </summary>
public sealed record Generation
{
    /// <summary>The format this daemon writes and the newest it reads.</summary>
    public const int CurrentFormat = 1;

    /// <summary>Files written before the field existed have none (0 when read) and are format 1.</summary>
    [JsonPropertyName("format")]
    public int Format { get; init; } = CurrentFormat;

    [JsonPropertyName("number")]
    public required int Number { get; init; }

    [JsonPropertyName("packages")]
    public required IReadOnlyList<string> Packages { get; init; }

    /// <summary>
    /// What the user asked for (the "world"): <see cref="Packages"/> is exactly the dependency closure of these,
    /// so removing a package also drops what only it needed.
    /// </summary>
    [JsonPropertyName("requested")]
    public IReadOnlyList<string> Requested { get; init; } = [];

    /// <summary>Package name → pinned full name.</summary>
    [JsonPropertyName("pins")]
    public IReadOnlyDictionary<string, string> Pins { get; init; } = new Dictionary<string, string>();

    [JsonPropertyName("created")]
    public DateTimeOffset Created { get; init; }

    /// <summary>What made it, for people: "install zsh", "rollback to 3".</summary>
    [JsonPropertyName("description")]
    public string Description { get; init; } = "";
}

[JsonSourceGenerationOptions(WriteIndented = true)]
[JsonSerializable(typeof(Generation))]
internal sealed partial class GenerationJsonContext : JsonSerializerContext;
