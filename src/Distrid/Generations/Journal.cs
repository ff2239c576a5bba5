using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Distrid.Generations;

/// <summary>
/// The append-only transaction journal in the state directory (<c>journal.log</c>, one JSON object per line,
/// fsynced). It is the history people read and what recovery uses to tell a committed generation from one a
/// crash left half-done.
/// </summary>
internal sealed class Journal(string path)
{
    private readonly Lock _appendLock = new();

    public void Append(JournalRecord record)
    {
        byte[] line = Encoding.UTF8.GetBytes(JsonSerializer.Serialize(record, JournalJsonContext.Default.JournalRecord) + "\n");
        lock (_appendLock)
        {
            using var handle = File.OpenHandle(path, FileMode.Append, FileAccess.Write);
            RandomAccess.Write(handle, line, RandomAccess.GetLength(handle));
            RandomAccess.FlushToDisk(handle);
        }
    }

    /// <summary>Every readable record; a torn last line (a crash mid-append) is skipped.</summary>
    public IReadOnlyList<JournalRecord> ReadAll()
    {
        if (!File.Exists(path))
        {
            return [];
        }

        var records = new List<JournalRecord>();
        foreach (string line in File.ReadLines(path))
        {
            try
            {
                if (JsonSerializer.Deserialize(line, JournalJsonContext.Default.JournalRecord) is { } record)
                {
                    records.Add(record);
                }
            }
            catch (JsonException)
            {
            }
        }

        return records;
    }
}

/// <summary>One journal line: a transaction began, committed a generation, downloaded without committing (download
/// only: <see cref="Generation"/> is the one that stayed current), or was abandoned.</summary>
public sealed record JournalRecord
{
    public const string Begin = "begin";
    public const string Commit = "commit";
    public const string Abort = "abort";
    public const string Downloaded = "downloaded";

    [JsonPropertyName("time")]
    public DateTimeOffset Time { get; init; } = DateTimeOffset.UtcNow;

    [JsonPropertyName("event")]
    public required string Event { get; init; }

    [JsonPropertyName("transaction")]
    public required string Transaction { get; init; }

    [JsonPropertyName("description")]
    public string? Description { get; init; }

    [JsonPropertyName("generation")]
    public int? Generation { get; init; }

    [JsonPropertyName("error")]
    public string? Error { get; init; }

    /// <summary>Begin only: the generation current when it began (absent in journals written before it was kept).</summary>
    [JsonPropertyName("previous")]
    public int? Previous { get; init; }

    /// <summary>Begin only: who started it (see <see cref="TransactionOrigin"/>); absent in older journals.</summary>
    [JsonPropertyName("caller")]
    public string? Caller { get; init; }

    [JsonPropertyName("uid")]
    public uint? Uid { get; init; }

    [JsonPropertyName("via")]
    public string? Via { get; init; }
}

[JsonSerializable(typeof(JournalRecord))]
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
internal sealed partial class JournalJsonContext : JsonSerializerContext;
