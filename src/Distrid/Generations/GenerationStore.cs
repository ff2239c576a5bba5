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
    private CachedRead? _lastRead;

    public GenerationStore(string stateDirectory, ILogger<GenerationStore> logger)
    {
        _generations = Path.Combine(stateDirectory, "generations");
        _current = Path.Combine(stateDirectory, "current");
        _journal = new Journal(Path.Combine(stateDirectory, "journal.log"));
        _logger = logger;
        Prepared = new PreparedUpdateFile(stateDirectory);
        Directory.CreateDirectory(_generations);
    }

    /// <summary>The update <c>update --download-only</c> prepared for <c>update --apply-downloaded</c>.</summary>
    public PreparedUpdateFile Prepared { get; }

    /// <summary>The current generation, or null before the first commit.</summary>
    /// <exception cref="UnreadableGenerationException">current names a file that is missing or unreadable.</exception>
    public Generation? Current
    {
        get
        {
            var read = ReadCurrent();
            return read.State == GenerationReadState.Unreadable ? throw new UnreadableGenerationException(DescribeUnreadableCurrent(read)) : read.Generation;
        }
    }

    /// <summary>Reads what <c>current</c> points at without throwing: absent only when there is no <c>current</c>
    /// at all; a link to a missing, torn or foreign file is unreadable.</summary>
    public GenerationRead ReadCurrent()
    {
        var link = new FileInfo(_current);
        if (!link.Exists && link.LinkTarget is null)
        {
            return GenerationRead.Absent(_current);
        }

        string? target = link.LinkTarget;
        if (target is null)
        {
            return GenerationRead.Unreadable(_current, "is not a symlink to a generation file");
        }

        string path = Path.GetFullPath(target, Path.GetDirectoryName(_current)!);
        if (!int.TryParse(Path.GetFileNameWithoutExtension(path), NumberStyles.None, CultureInfo.InvariantCulture, out int number) || Path.GetFullPath(PathOf(number)) != path)
        {
            return GenerationRead.Unreadable(path, "is not a generation file (current must point at generations/N.json)");
        }

        var read = Read(number);
        return read.State == GenerationReadState.Absent ? GenerationRead.Unreadable(read.Path, "does not exist, but current points at it") : read;
    }

    /// <summary>Reads <c>generations/N.json</c>: absent, present, or unreadable with the reason.</summary>
    public GenerationRead Read(int number)
    {
        string path = PathOf(number);
        // Generation files are immutable: while N.json is the same file, its parse is too (a start with 10,000
        // packages asks for the current generation several times, and each parse makes 20,000 strings).
        var file = new FileInfo(path);
        if (file.Exists && Volatile.Read(ref _lastRead) is { } last && last.Number == number && last.Length == file.Length && last.Modified == file.LastWriteTimeUtc)
        {
            return last.Read;
        }

        var read = ReadFile(number, path);
        if (read.State == GenerationReadState.Present && file.Exists)
        {
            Volatile.Write(ref _lastRead, new CachedRead(number, file.Length, file.LastWriteTimeUtc, read));
        }

        return read;
    }

    private sealed record CachedRead(int Number, long Length, DateTime Modified, GenerationRead Read);

    private static GenerationRead ReadFile(int number, string path)
    {
        Generation? generation;
        try
        {
            using var stream = File.OpenRead(path);
            generation = JsonSerializer.Deserialize(stream, GenerationJsonContext.Default.Generation);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return GenerationRead.Absent(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException)
        {
            return GenerationRead.Unreadable(path, "is unreadable: " + e.Message);
        }

        if (generation is not null)
        {
            // The serializer leaves a missing member at its default, not at the record's initializer: restore the
            // optional ones, and read a file written before generations carried a format as format 1.
            generation = generation with
            {
                Format = generation.Format == 0 ? 1 : generation.Format,
                Requested = generation.Requested ?? [],
                Pins = generation.Pins ?? new Dictionary<string, string>(),
                Description = generation.Description ?? "",
            };
        }

        return generation switch
        {
            null => GenerationRead.Unreadable(path, "holds no generation"),
            { Format: < 1 or > Generation.CurrentFormat } => GenerationRead.Unreadable(path, $"has format {generation.Format}; this distrid reads formats 1 to {Generation.CurrentFormat}"),
            { Packages: null } => GenerationRead.Unreadable(path, "lacks its package lists"),
            _ when generation.Number != number => GenerationRead.Unreadable(path, $"says it is generation {generation.Number}"),
            _ => GenerationRead.Present(path, generation),
        };
    }

    /// <summary>Every readable committed generation, oldest first (an unreadable one is logged and left out).</summary>
    public IReadOnlyList<Generation> List() =>
        [.. Numbers().Order().Select(Load).OfType<Generation>()];

    /// <summary>Generation <paramref name="number"/>, or null when there is none.</summary>
    /// <exception cref="UnreadableGenerationException">the file exists but cannot be read.</exception>
    public Generation? Get(int number)
    {
        var read = Read(number);
        return read.State == GenerationReadState.Unreadable
            ? throw new UnreadableGenerationException($"generation file {read.Path} {read.Problem}")
            : read.Generation;
    }

    /// <summary>
    /// One line for an operator whose current generation cannot be read: which file, why, and the way back (the
    /// newest other generation that the journal committed and that still reads, made current by hand).
    /// </summary>
    public string DescribeUnreadableCurrent(GenerationRead read)
    {
        string state = Path.GetDirectoryName(_current)!;
        int? broken = int.TryParse(Path.GetFileNameWithoutExtension(read.Path), NumberStyles.None, CultureInfo.InvariantCulture, out int n) ? n : null;
        int? previous = _journal.ReadAll()
            .Where(r => r.Event == JournalRecord.Commit && r.Generation is not null).Select(r => r.Generation!.Value).Reverse()
            .Concat(Numbers().OrderDescending())
            .Distinct()
            .Where(g => g != broken)
            .Cast<int?>()
            .FirstOrDefault(g => Read(g!.Value).State == GenerationReadState.Present);
        string wayBack = previous is int p
            ? $"to go back to generation {p}, run: ln -sfn generations/{FileName(p)} {_current} (history: {Path.Combine(state, "journal.log")})"
            : $"no other generation is readable: restore the file, or remove {_current} to adopt the store's images as a new generation";
        return $"generation file {read.Path} {read.Problem}; {wayBack}";
    }

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

    /// <summary>A download-only transaction ended well: its images are in the store, no generation changed.</summary>
    public void EndDownloadOnly(string id, int current) =>
        _journal.Append(new JournalRecord { Event = JournalRecord.Downloaded, Transaction = id, Generation = current });

    /// <summary>Writes <paramref name="next"/> durably and makes it current in one atomic step.</summary>
    public void Commit(string transaction, Generation next)
    {
        Prepare(next);
        CommitPrepared(transaction, next.Number);
    }

    /// <summary>
    /// Writes <paramref name="next"/>'s file durably under a temporary name, ahead of its commit (while the images it
    /// names download): no listing sees it, and recovery removes it after a crash. <see cref="CommitPrepared"/> or
    /// <see cref="DiscardPrepared"/> follows.
    /// </summary>
    public void Prepare(Generation next) =>
        DurableFile.WriteTemporary(PathOf(next.Number), JsonSerializer.SerializeToUtf8Bytes(next, GenerationJsonContext.Default.Generation));

    /// <summary>Gives the prepared generation <paramref name="number"/> its name and makes it current in one atomic step.</summary>
    public void CommitPrepared(string transaction, int number)
    {
        NamePrepared(number);
        MakeCurrent(transaction, number);
    }

    /// <summary>Gives the prepared generation <paramref name="number"/> its name, durably; it is not current yet.</summary>
    public void NamePrepared(int number) => DurableFile.Publish(PathOf(number));

    /// <summary>Removes a prepared generation that will not be committed.</summary>
    public void DiscardPrepared(int number) => File.Delete(DurableFile.TemporaryName(PathOf(number)));

    /// <summary>Makes an existing generation current (rollback), with one atomic rename of the symlink.</summary>
    public void MakeCurrent(string transaction, int number)
    {
        SwitchCurrent(number);
        JournalCommit(transaction, number);
    }

    /// <summary>
    /// The commit point: <c>current</c> names generation <paramref name="number"/>, durably, when this returns. The
    /// journal's commit line (<see cref="JournalCommit"/>) may follow while the caller publishes: after a crash in
    /// between, <see cref="Recover"/> adds the line, because the rename happened.
    /// </summary>
    public void SwitchCurrent(int number)
    {
        if (!File.Exists(PathOf(number)))
        {
            throw new InvalidOperationException($"generation {number} does not exist");
        }

        DurableFile.ReplaceSymlink(_current, Path.Combine("generations", FileName(number)));
    }

    /// <summary>Journals (fsynced) that <paramref name="transaction"/> made generation <paramref name="number"/> current.</summary>
    public void JournalCommit(string transaction, int number) =>
        _journal.Append(new JournalRecord { Event = JournalRecord.Commit, Transaction = transaction, Generation = number });

    /// <summary>
    /// After a crash: a generation file that was written but never made current (no commit in the journal, not
    /// current) is removed, as are temporary files; a transaction left open is recorded as aborted.
    /// </summary>
    /// <exception cref="UnreadableGenerationException">current is unreadable; nothing is changed then.</exception>
    public void Recover()
    {
        int? current = Current?.Number;
        foreach (string temporary in Directory.EnumerateFiles(_generations, ".*.tmp").Concat(Directory.EnumerateFiles(Path.GetDirectoryName(_current)!, ".*.tmp")))
        {
            File.Delete(temporary);
        }

        var records = _journal.ReadAll();
        var committed = records.Where(r => r.Event == JournalRecord.Commit && r.Generation is not null).Select(r => r.Generation!.Value).ToHashSet();
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

    private Generation? Load(int number)
    {
        var read = Read(number);
        if (read.State == GenerationReadState.Unreadable)
        {
            _logger.LogError("generation file {Path} {Problem}", read.Path, read.Problem);
        }

        return read.Generation;
    }
}
