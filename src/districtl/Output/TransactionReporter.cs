using Distrid.Protocol;
using Spectre.Console;

namespace Districtl.Output;

/// <summary>
/// Runs a mutating call with live progress: Spectre.Console bars (per package and total, with speed and time left)
/// on a terminal, plain lines otherwise, nothing with --json. Then prints what changed.
/// </summary>
internal static class TransactionReporter
{
    public static async Task<TransactionResult> RunAsync(bool json, Func<IProgress<ProgressInfo>?, Task<TransactionResult>> call)
    {
        if (json)
        {
            return await call(null);
        }

        if (Console.IsOutputRedirected || !AnsiConsole.Profile.Capabilities.Interactive)
        {
            var lines = new PlainProgress();
            return await call(lines);
        }

        TransactionResult? result = null;
        await AnsiConsole.Progress()
            .AutoClear(false)
            .HideCompleted(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new DownloadedColumn(), new TransferSpeedColumn(), new RemainingTimeColumn())
            .StartAsync(async context =>
            {
                var bars = new BarProgress(context);
                result = await call(bars);
                bars.Complete();
            });
        return result!;
    }

    public static void Print(TransactionResult r)
    {
        string prefix = r.DryRun ? "would " : "";
        if (!r.Changed)
        {
            Console.WriteLine($"{r.Description}: nothing to do (generation {r.Generation})");
            return;
        }

        foreach (string p in r.Added)
        {
            Console.WriteLine($"  {prefix}add     {p}");
        }

        foreach (string p in r.Removed)
        {
            Console.WriteLine($"  {prefix}remove  {p}");
        }

        foreach (string p in r.Deleted)
        {
            Console.WriteLine($"  {prefix}delete  {p}");
        }

        if (r.Downloaded.Count > 0)
        {
            Console.WriteLine($"  {prefix}download {r.Downloaded.Count} images, {Units.Bytes(r.DownloadBytes)}");
        }

        Console.WriteLine(r.DryRun
            ? $"{r.Description}: dry run, generation {r.PreviousGeneration} stays current"
            : $"{r.Description}: generation {r.PreviousGeneration} -> {r.Generation}");
    }

    /// <summary>One line per phase and per finished package, for logs and pipes.</summary>
    private sealed class PlainProgress : IProgress<ProgressInfo>
    {
        private string? _phase;

        public void Report(ProgressInfo value)
        {
            // Progress goes to stdout beside the result; stderr stays for the one error line.
            if (value.Phase != _phase && value.Phase == "download")
            {
                Console.WriteLine("downloading...");
            }

            _phase = value.Phase;

            if (value.Package is not null && value.PackageBytesTotal > 0 && value.PackageBytesDone == value.PackageBytesTotal)
            {
                Console.WriteLine($"  {value.Package}: {Units.Bytes(value.PackageBytesTotal)} ({Units.Bytes(value.TotalBytesDone)} of {Units.Bytes(value.TotalBytes)})");
            }
        }
    }

    /// <summary>A bar per package and one for the total.</summary>
    private sealed class BarProgress(ProgressContext context) : IProgress<ProgressInfo>
    {
        private readonly Dictionary<string, ProgressTask> _packages = new(StringComparer.Ordinal);
        private readonly Lock _lock = new();
        private ProgressTask? _total;

        public void Report(ProgressInfo value)
        {
            lock (_lock)
            {
                if (value.Package is null || value.TotalBytes == 0)
                {
                    return;
                }

                _total ??= context.AddTask("[bold]total[/]", maxValue: value.TotalBytes);
                _total.Value = value.TotalBytesDone;
                if (!_packages.TryGetValue(value.Package, out var task))
                {
                    task = context.AddTask(Markup.Escape(value.Package), maxValue: Math.Max(1, value.PackageBytesTotal));
                    _packages[value.Package] = task;
                }

                task.Value = value.PackageBytesDone;
            }
        }

        public void Complete()
        {
            lock (_lock)
            {
                foreach (var task in _packages.Values.Append(_total).OfType<ProgressTask>())
                {
                    task.Value = task.MaxValue;
                    task.StopTask();
                }
            }
        }
    }
}
