using System.Collections.Concurrent;
using System.Text;
using Distri.Core.SquashFs;

namespace Distrid.Bench.Fuzz;

/// <summary>Counts of a fuzz run: clean walks, SquashFsExceptions by error kind, crashes (any other exception) and
/// hangs (walks over the time bound), with one reproducible example per crash type.</summary>
public sealed class FuzzReport
{
    private long _clean;
    private long _hangs;

    public ConcurrentDictionary<SquashFsError, long> Rejected { get; } = new();

    public ConcurrentDictionary<string, long> Crashes { get; } = new();

    public ConcurrentQueue<string> Examples { get; } = new();

    public long Clean => Interlocked.Read(ref _clean);

    public long Hangs => Interlocked.Read(ref _hangs);

    public long CrashCount => Crashes.Values.Sum();

    public long Total => Clean + Hangs + CrashCount + Rejected.Values.Sum();

    public bool Passed => CrashCount == 0 && Hangs == 0;

    public void AddClean() => Interlocked.Increment(ref _clean);

    public void AddRejected(SquashFsError error) => Rejected.AddOrUpdate(error, 1, (_, n) => n + 1);

    public void AddCrash(Exception error, string reproduction)
    {
        string kind = error.GetType().Name;
        if (Crashes.AddOrUpdate(kind, 1, (_, n) => n + 1) == 1)
        {
            Examples.Enqueue($"{kind}: {error.Message} [{reproduction}]\n{error.StackTrace}");
        }
    }

    public void AddHang(string reproduction)
    {
        Interlocked.Increment(ref _hangs);
        Examples.Enqueue($"hang: [{reproduction}]");
    }

    public override string ToString()
    {
        var text = new StringBuilder();
        text.AppendLine($"images: {Total}");
        text.AppendLine($"clean reads: {Clean}");
        foreach (var (error, count) in Rejected.OrderBy(pair => pair.Key))
        {
            text.AppendLine($"SquashFsException {error}: {count}");
        }

        text.AppendLine($"crashes: {CrashCount}" + string.Concat(Crashes.Select(pair => $" {pair.Key}={pair.Value}")));
        text.AppendLine($"hangs: {Hangs}");
        foreach (string example in Examples.Take(10))
        {
            text.AppendLine(example);
        }

        return text.ToString();
    }
}
