using System.Diagnostics;
using Distri.Core.Packages;
using Distrid.Protocol;
using Spectre.Console;

namespace Districtl.Output;

/// <summary>
/// Runs a mutating call with truthful progress: the plan and the download size as soon as the daemon knows them
/// (before the first byte moves), then Spectre.Console bars per package and in total whose speeds and times left come
/// from a sliding window of the daemon's cumulative byte counts (<see cref="RateWindow"/>), on a terminal; plain lines
/// otherwise; nothing with --json. The last line says what changed and the bytes, time and mean speed of the download.
/// </summary>
internal static class TransactionReporter
{
    /// <summary>How much history a displayed speed covers: long enough to smooth TCP and reporting steps, short
    /// enough to follow a link that changes.</summary>
    private static readonly TimeSpan SpeedWindow = TimeSpan.FromSeconds(4);

    /// <summary>How often the bars take the latest counts.</summary>
    private static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(250);

    public static async Task<(TransactionResult Result, DownloadWatch? Watch)> RunAsync(bool json, Func<IProgress<ProgressInfo>?, Task<TransactionResult>> call)
    {
        if (json)
        {
            return (await call(null), null);
        }

        bool interactive = !Console.IsOutputRedirected && AnsiConsole.Profile.Capabilities.Interactive;
        var watch = new DownloadWatch(plainLines: !interactive);
        var running = call(watch);
        if (interactive)
        {
            await Task.WhenAny(watch.DownloadStarted, running);
            if (watch.DownloadStarted.IsCompleted)
            {
                await ShowBarsAsync(watch, running);
            }
        }

        return (await running, watch);
    }

    /// <summary>Bars for the total and each package, fed from <paramref name="watch"/> every <see cref="Tick"/> until the download ends.</summary>
    private static async Task ShowBarsAsync(DownloadWatch watch, Task running)
    {
        await AnsiConsole.Progress()
            .AutoClear(false)
            .HideCompleted(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new DownloadedColumn(), new WindowedSpeedColumn(), new WindowedTimeLeftColumn())
            .StartAsync(async context =>
            {
                var total = context.AddTask("[bold]total[/]", maxValue: Math.Max(1, watch.TotalBytes));
                total.Tag = new RateWindow(SpeedWindow);
                var packages = new Dictionary<string, ProgressTask>(StringComparer.Ordinal);
                while (true)
                {
                    bool last = running.IsCompleted || watch.DownloadEnded;
                    bool finished = watch.DownloadEnded || running.IsCompletedSuccessfully;
                    long now = Stopwatch.GetTimestamp();
                    foreach (var (name, bytes) in watch.Packages())
                    {
                        if (!packages.TryGetValue(name, out var task))
                        {
                            task = context.AddTask(Markup.Escape(name), maxValue: Math.Max(1, bytes.Total));
                            task.Tag = new RateWindow(SpeedWindow);
                            packages[name] = task;
                        }

                        Update(task, bytes.Done, now, finished);
                    }

                    total.MaxValue = Math.Max(1, watch.TotalBytes);
                    Update(total, watch.TotalDone, now, finished);
                    if (last)
                    {
                        return;
                    }

                    await Task.WhenAny(Task.Delay(Tick), running);
                }
            });
    }

    private static void Update(ProgressTask task, long done, long now, bool finished)
    {
        ((RateWindow)task.Tag!).Sample(now, done);
        task.Value = finished ? task.MaxValue : done;
        if (finished || done >= task.MaxValue)
        {
            task.Value = task.MaxValue;
            task.StopTask();
        }
    }

    /// <summary>What a transaction will change and download, one line each (upgrades paired by name and arch).</summary>
    public static void PrintPlan(TransactionPlan plan, bool dryRun)
    {
        string prefix = dryRun ? "would " : "";
        var upgrades = Upgrades(plan.Added, plan.Removed);
        foreach (string p in plan.Added.Where(a => !upgrades.ContainsKey(a)))
        {
            Console.WriteLine($"  {prefix}add     {p}");
        }

        foreach (var (added, removed) in upgrades)
        {
            Console.WriteLine($"  {prefix}upgrade {removed} -> {added}");
        }

        foreach (string p in plan.Removed.Where(r => !upgrades.ContainsValue(r)))
        {
            Console.WriteLine($"  {prefix}remove  {p}");
        }

        if (plan.DownloadCount > 0)
        {
            Console.WriteLine($"  {prefix}download {plan.DownloadCount} images, {Units.Bytes(plan.DownloadBytes)}");
        }
    }

    /// <summary>Added full name → the removed full name of the same package (name and arch), for one line per upgrade.</summary>
    private static Dictionary<string, string> Upgrades(IReadOnlyList<string> added, IReadOnlyList<string> removed)
    {
        var removedByName = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (string r in removed)
        {
            if (PackageName.TryParse(r, out var name, out _))
            {
                removedByName.TryAdd(name.NameArch, r);
            }
        }

        var upgrades = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (string a in added)
        {
            if (PackageName.TryParse(a, out var name, out _) && removedByName.Remove(name.NameArch, out string? old))
            {
                upgrades[a] = old;
            }
        }

        return upgrades;
    }

    /// <summary>The outcome; the plan lines unless <paramref name="watch"/> already printed them, and the download's figures on the last line.</summary>
    public static void Print(TransactionResult r, DownloadWatch? watch = null)
    {
        if (!r.Changed)
        {
            Console.WriteLine($"{r.Description}: nothing to do (generation {r.Generation})");
            return;
        }

        if (watch?.Plan is null)
        {
            PrintPlan(new TransactionPlan { Added = r.Added, Removed = r.Removed, DownloadCount = r.Downloaded.Count, DownloadBytes = r.DownloadBytes }, r.DryRun);
        }

        foreach (string p in r.Deleted)
        {
            Console.WriteLine($"  {(r.DryRun ? "would " : "")}delete  {p}");
        }

        string downloaded = watch?.Summary() is { } summary ? $"; downloaded {summary}" : "";
        Console.WriteLine(r.DryRun
            ? $"{r.Description}: dry run, generation {r.PreviousGeneration} stays current"
            : $"{r.Description}: generation {r.PreviousGeneration} -> {r.Generation}{downloaded}");
    }
}
