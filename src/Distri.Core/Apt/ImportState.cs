using System.Text.Json;
using System.Text.Json.Serialization;
using Distri.Core.Repository;

namespace Distri.Core.Apt;

/// <summary>What one imported package was built from: the .deb's sha256 and the full names of its dependencies.</summary>
public sealed record ImportedPackageState
{
    [JsonPropertyName("fullName")]
    public required string FullName { get; init; }

    [JsonPropertyName("debSha256")]
    public required string DebSha256 { get; init; }

    [JsonPropertyName("dependencies")]
    public IReadOnlyList<string> Dependencies { get; init; } = [];

    /// <summary>For a package with Python modules: the compiler of its bytecode ("python3.11:&lt;magic&gt;", no magic when none was available).</summary>
    [JsonPropertyName("bytecode")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Bytecode { get; init; }
}

/// <summary>
/// <c>REPO/import-state.json</c>: per Debian package name, the image last built for it and what it was built from.
/// Entries of packages that leave the closure stay, so that their revisions keep counting up if they come back.
/// Format 1 predates bytecode at import, format 2 merged program trees, ucf files and fontconfig's wrappers: their
/// packages are all rebuilt once.
/// </summary>
public sealed record ImportState
{
    public const string FileName = "import-state.json";
    public const int CurrentFormatVersion = 3;
    private const int MaxBytes = 64 << 20;

    [JsonPropertyName("formatVersion")]
    public int FormatVersion { get; init; } = CurrentFormatVersion;

    [JsonPropertyName("packages")]
    public Dictionary<string, ImportedPackageState> Packages { get; init; } = new(StringComparer.Ordinal);

    public static ImportState Load(string repoDirectory)
    {
        string path = Path.Combine(repoDirectory, FileName);
        if (!File.Exists(path))
        {
            return new ImportState();
        }

        if (new FileInfo(path).Length > MaxBytes)
        {
            throw new InvalidDataException($"{path}: larger than {MaxBytes} bytes");
        }

        try
        {
            var state = JsonSerializer.Deserialize(File.ReadAllBytes(path), ImportStateJsonContext.Default.ImportState)
                ?? throw new InvalidDataException($"{path}: empty");
            return state.FormatVersion is >= 1 and <= CurrentFormatVersion
                ? state with { Packages = new Dictionary<string, ImportedPackageState>(state.Packages ?? [], StringComparer.Ordinal) }
                : throw new InvalidDataException($"{path}: unknown formatVersion {state.FormatVersion}");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: not valid import state ({e.Message})", e);
        }
    }

    public void Save(string repoDirectory)
    {
        var sorted = this with { FormatVersion = CurrentFormatVersion, Packages = new Dictionary<string, ImportedPackageState>(Packages.OrderBy(p => p.Key, StringComparer.Ordinal)) };
        AtomicFile.Write(Path.Combine(repoDirectory, FileName), JsonSerializer.SerializeToUtf8Bytes(sorted, ImportStateJsonContext.Default.ImportState));
    }
}

[JsonSourceGenerationOptions(WriteIndented = true)]
[JsonSerializable(typeof(ImportState))]
public sealed partial class ImportStateJsonContext : JsonSerializerContext;
