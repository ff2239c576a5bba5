using System.Diagnostics;
using Distrid.Protocol;

namespace Districtl.Output;

/// <summary>
/// Receives a transaction's progress reports (on the connection's reader thread) and keeps what the display needs:
/// the plan (printed at once, before the first byte moves), each package's and the total cumulative bytes, and when
/// the download started and ended. The display reads it on its own tick; nothing here depends on how often reports
/// arrive.
/// </summary>
internal sealed class DownloadWatch(bool plainLines) : IProgress<ProgressInfo>
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, PackageBytes> _packages = new(StringComparer.Ordinal);
    private readonly TaskCompletionSource _downloadStarted = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _startedAt;
    private long _endedAt;

    /// <summary>One package's counts as last reported.</summary>
    public readonly record struct PackageBytes(long Done, long Total);

    /// <summary>The plan the daemon announced, if it did (then it was printed).</summary>
    public TransactionPlan? Plan { get; private set; }

    /// <summary>Completes with the first download report.</summary>
    public Task DownloadStarted => _downloadStarted.Task;

    /// <summary>True once the transaction moved past its download (the commit began).</summary>
    public bool DownloadEnded
    {
        get
        {
            lock (_lock)
            {
                return _endedAt != 0;
            }
        }
    }

    public long TotalDone { get; private set; }

    public long TotalBytes { get; private set; }

    public void Report(ProgressInfo value)
    {
        lock (_lock)
        {
            if (value.Plan is { } plan && Plan is null)
            {
                Plan = plan;
                TotalBytes = plan.DownloadBytes;
                TransactionReporter.PrintPlan(plan, dryRun: false);
                _startedAt = Stopwatch.GetTimestamp();
            }

            if (value.Phase == "download" && value.Package is not null)
            {
                if (_startedAt == 0)
                {
                    _startedAt = Stopwatch.GetTimestamp();
                }

                bool first = _packages.Count == 0;
                _packages.TryGetValue(value.Package, out var before);
                _packages[value.Package] = new PackageBytes(value.PackageBytesDone, value.PackageBytesTotal);
                TotalDone = value.TotalBytesDone;
                TotalBytes = Math.Max(TotalBytes, value.TotalBytes);
                if (plainLines)
                {
                    if (first)
                    {
                        Console.WriteLine("downloading...");
                    }

                    if (value.PackageBytesTotal > 0 && value.PackageBytesDone == value.PackageBytesTotal && before.Done != before.Total)
                    {
                        Console.WriteLine($"  {value.Package}: {Units.Bytes(value.PackageBytesTotal)} ({Units.Bytes(value.TotalBytesDone)} of {Units.Bytes(value.TotalBytes)})");
                    }
                }

                _downloadStarted.TrySetResult();
            }
            else if (value.Phase == "commit" && _startedAt != 0 && _endedAt == 0)
            {
                _endedAt = Stopwatch.GetTimestamp();
                TotalDone = value.TotalBytesDone;
            }
        }
    }

    /// <summary>Every package's latest counts, in the order they first reported.</summary>
    public List<KeyValuePair<string, PackageBytes>> Packages()
    {
        lock (_lock)
        {
            return [.. _packages];
        }
    }

    /// <summary>"18.0 MiB in 7.3 s (2.5 MiB/s)" once a download ran, else null.</summary>
    public string? Summary()
    {
        lock (_lock)
        {
            if (_startedAt == 0 || TotalDone == 0)
            {
                return null;
            }

            long end = _endedAt != 0 ? _endedAt : Stopwatch.GetTimestamp();
            double seconds = Stopwatch.GetElapsedTime(_startedAt, end).TotalSeconds;
            return string.Create(
                System.Globalization.CultureInfo.InvariantCulture,
                $"{Units.Bytes(TotalDone)} in {seconds:0.0} s ({Units.Rate(TotalDone / Math.Max(seconds, 0.001))})");
        }
    }
}
