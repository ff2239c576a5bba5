using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Logging;

namespace Distrid.Generations;

/// <summary>
/// Numbered generations in the state directory: <c>generations/N.json</c> (immutable), the symlink
/// <c>current</c> → <c>generations/N.json</c>, and the journal. A commit writes the new generation durably and
/// then replaces <c>current</c> with one rename: a crash at any instant leaves the old or the new generation.
/// </summary>
public sealed class GenerationStore
{
    private readonly string _generations;
    private readonly string _current;
    private readonly Journal _journal;
    private readonly ILogger<GenerationStore> _logger;

    public GenerationStore(string stateDirectory, ILogger<GenerationStore> logger)
    {
        _generations = Path.Combine(stateDirectory, "generations");
        _current = Path.Combine(stateDirectory, "current");
        _journal = new Journal(Path.Combine(stateDirectory, "journal.log"));
        _logger = logger;
        Directory.CreateDirectory(_generations);
    }

    /// <summary>The current generation, or null before the first commit.</summary>
    public Generation? Current
    {
        get
        {
            string? target = File.Exists(_current) ? new FileInfo(_current).LinkTarget : null;
            return target is null ? null : Load(Path.Combine(Path.GetDirectoryName(_current)!, target));
        }
    }

    /// <summary>Every committed generation, oldest first.</summary>
    public IReadOnlyList<Generation> List() =>
        [.. Numbers().Order().Select(n => Load(PathOf(n))).OfType<Generation>()];

    public Generation? Get(int number) => File.Exists(PathOf(number)) ? Load(PathOf(number)) : null;

    /// <summary>Numbers are never reused: after a rollback, the next commit still gets a fresh one.</summary>
    public int NextNumber => Numbers().DefaultIfEmpty(0).Max() + 1;

    public void BeginTransaction(string id, string description, int? previous = null, TransactionOrigin? origin = null) =>
        _journal.Append(new JournalRecord
        {
            Event = JournalRecord.Begin,
            Transaction = id,
            Description = description,
            Previous = previous,
            Caller = origin?.Caller,
            Uid = origin?.Uid,
            Via = origin?.Via,
        });

    /// <summary>Every readable journal record, oldest first (the history of transactions).</summary>
    public IReadOnlyList<JournalRecord> ReadJournal() => _journal.ReadAll();

    public void AbortTransaction(string id, string error) =>
        _journal.Append(new JournalRecord { Event = JournalRecord.Abort, Transaction = id, Error = error });

    /// <summary>Writes <paramref name="next"/> durably and makes it current in one atomic step.</summary>
    public void Commit(string transaction, Generation next)
    {
        DurableFile.Write(PathOf(next.Number), JsonSerializer.SerializeToUtf8Bytes(next, GenerationJsonContext.Default.Generation));
        MakeCurrent(transaction, next.Number);
    }

    /// <summary>Makes an existing generation current (rollback), with one atomic rename of the symlink.</summary>
    public void MakeCurrent(string transaction, int number)
    {
        if (!File.Exists(PathOf(number)))
        {
            throw new InvalidOperationException($"generation {number} does not exist");
        }

        DurableFile.ReplaceSymlink(_current, Path.Combine("generations", FileName(number)));
        _journal.Append(new JournalRecord { Event = JournalRecord.Commit, Transaction = transaction, Generation = number });
    }

    /// <summary>
    /// After a crash: a generation file that was written but never made current (no commit in the journal, not
    /// current) is removed, as are temporary files; a transaction left open is recorded as aborted.
    /// </summary>
    public void Recover()
    {
        foreach (string temporary in Directory.EnumerateFiles(_generations, ".*.tmp").Concat(Directory.EnumerateFiles(Path.GetDirectoryName(_current)!, ".*.tmp")))
        {
            File.Delete(temporary);
        }

        var records = _journal.ReadAll();
        var committed = records.Where(r => r.Event == JournalRecord.Commit && r.Generation is not null).Select(r => r.Generation!.Value).ToHashSet();
        int? current = Current?.Number;
        if (current is int c && !committed.Contains(c))
        {
            // The rename happened, the journal line did not: the generation is committed.
            _journal.Append(new JournalRecord { Event = JournalRecord.Commit, Transaction = "recovery", Generation = c });
            committed.Add(c);
        }

        foreach (int number in Numbers().Where(n => !committed.Contains(n)))
        {
            _logger.LogWarning("removing generation {Number}: a crash interrupted it before it became current", number);
            File.Delete(PathOf(number));
        }

        var open = records.GroupBy(r => r.Transaction).Where(g => g.Key != "recovery" && g.All(r => r.Event == JournalRecord.Begin)).Select(g => g.Key);
        foreach (string transaction in open)
        {
            _logger.LogWarning("transaction {Transaction} was interrupted; the system stays at generation {Current}", transaction, current);
            _journal.Append(new JournalRecord { Event = JournalRecord.Abort, Transaction = transaction, Error = "interrupted (daemon stopped or crashed)" });
        }
    }

    /// <summary>Removes a generation that is not current (GC of old generations).</summary>
    public void Delete(int number)
    {
        if (Current?.Number == number)
        {
            throw new InvalidOperationException("the current generation cannot be deleted");
        }

        File.Delete(PathOf(number));
    }

    private IEnumerable<int> Numbers() =>
        Directory.EnumerateFiles(_generations, "*.json")
            .Select(p => int.TryParse(Path.GetFileNameWithoutExtension(p), NumberStyles.None, CultureInfo.InvariantCulture, out int n) ? n : 0)
            .Where(n => n > 0);

    private string PathOf(int number) => Path.Combine(_generations, FileName(number));

    private static string FileName(int number) => number.ToString(CultureInfo.InvariantCulture) + ".json";

    private Generation? Load(string path)
    {
        try
        {
            using var stream = File.OpenRead(path);
            return JsonSerializer.Deserialize(stream, GenerationJsonContext.Default.Generation);
        }
        catch (Exception e) when (e is IOException or JsonException)
        {
            _logger.LogError("unreadable generation {Path}: {Error}", path, e.Message);
            return null;
        }
    }
}
