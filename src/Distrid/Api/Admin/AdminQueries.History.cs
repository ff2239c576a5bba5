using Distri.Core.Packages;
using Distrid.Generations;
using Distrid.Protocol;
using Distrid.Transactions;

namespace Distrid.Api.Admin;

/// <summary><c>history</c> and <c>diff</c>: the journal and the generations, read back for people.</summary>
internal sealed partial class AdminQueries
{
    /// <summary>Every transaction of the journal, oldest first: when, who, what, result and duration.</summary>
    public IReadOnlyList<HistoryEntry> History()
    {
        var records = _generations.ReadJournal();
        string? running = _transactions.Current is null ? null : records.LastOrDefault(r => r.Event == JournalRecord.Begin)?.Transaction;
        var entries = new List<HistoryEntry>();
        foreach (var group in records.GroupBy(r => r.Transaction, StringComparer.Ordinal))
        {
            var begin = group.FirstOrDefault(r => r.Event == JournalRecord.Begin);
            var end = group.LastOrDefault(r => r.Event is JournalRecord.Commit or JournalRecord.Abort or JournalRecord.Downloaded);
            var started = begin?.Time ?? end!.Time;
            entries.Add(new HistoryEntry
            {
                Transaction = group.Key,
                Started = started,
                Finished = end?.Time,
                DurationSeconds = end is null ? null : Math.Max(0, (end.Time - started).TotalSeconds),
                Description = begin?.Description ?? (group.Key == "recovery" ? "recovery: a commit completed before a crash" : "(no record of its start)"),
                Caller = begin?.Caller,
                Uid = begin?.Uid,
                Via = begin?.Via,
                Result = end?.Event switch
                {
                    JournalRecord.Commit => "committed",
                    JournalRecord.Abort => "failed",
                    JournalRecord.Downloaded => "downloaded",
                    _ => group.Key == running ? "running" : "interrupted",
                },
                Error = end?.Error,
                PreviousGeneration = begin?.Previous,
                Generation = end?.Event == JournalRecord.Commit ? end.Generation : null,
            });
        }

        return [.. entries.OrderBy(e => e.Started)];
    }

    /// <summary>
    /// What changed from generation <paramref name="from"/> to <paramref name="to"/>. Defaults: <paramref name="to"/> is
    /// the current generation, <paramref name="from"/> the one that was current before the transaction that made it
    /// current (so after a rollback it is the generation rolled back from), else the newest older generation.
    /// </summary>
    public GenerationDiff Diff(int? from, int? to)
    {
        int target = to ?? Current?.Number ?? throw new TransactionException(TransactionError.NoSuchGeneration, "there is no generation yet");
        int source = from ?? DefaultSource(target);
        var older = Load(source);
        var newer = Load(target);

        var before = older.Packages.Select(PackageName.Parse).ToList();
        var after = newer.Packages.Select(PackageName.Parse).ToList();
        var added = new List<string>();
        var removed = new List<string>();
        var upgraded = new List<PackageChange>();
        var downgraded = new List<PackageChange>();
        foreach (string nameArch in before.Concat(after).Select(p => p.NameArch).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal))
        {
            var was = before.Where(p => p.NameArch == nameArch).ToList();
            var now = after.Where(p => p.NameArch == nameArch).ToList();
            if (was.Count == 1 && now.Count == 1)
            {
                if (was[0].Revision != now[0].Revision || was[0].Version != now[0].Version)
                {
                    var change = new PackageChange { Name = nameArch, From = was[0].FullName, To = now[0].FullName };
                    (now[0].Revision > was[0].Revision ? upgraded : downgraded).Add(change);
                }

                continue;
            }

            // Several revisions of one name on a side (a pinned old one beside a dependency's newer one): plain sets.
            added.AddRange(now.Select(p => p.FullName).Except(was.Select(p => p.FullName)));
            removed.AddRange(was.Select(p => p.FullName).Except(now.Select(p => p.FullName)));
        }

        return new GenerationDiff { From = source, To = target, Added = added, Removed = removed, Upgraded = upgraded, Downgraded = downgraded };
    }

    private int DefaultSource(int target)
    {
        var records = _generations.ReadJournal();
        var lastCommit = records.LastOrDefault(r => r.Event == JournalRecord.Commit && r.Generation == target
            && records.Any(b => b.Event == JournalRecord.Begin && b.Transaction == r.Transaction && b.Previous is int p && p != target));
        if (lastCommit is not null)
        {
            int previous = records.First(b => b.Event == JournalRecord.Begin && b.Transaction == lastCommit.Transaction).Previous!.Value;
            if (_generations.Get(previous) is not null)
            {
                return previous;
            }
        }

        return _generations.List().Select(g => g.Number).Where(n => n < target).DefaultIfEmpty(0).Max() is int older and > 0
            ? older
            : throw new TransactionException(TransactionError.NoSuchGeneration, $"there is no generation before {target} to compare with");
    }

    private Generation Load(int number) => _generations.Get(number)
        ?? throw new TransactionException(TransactionError.NoSuchGeneration, $"generation {number} does not exist (see 'districtl generations')");
}
