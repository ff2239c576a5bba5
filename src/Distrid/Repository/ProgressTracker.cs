using System.Diagnostics;
using Distri.Core.Packages;

namespace Distrid.Repository;

/// <summary>
/// Sums progress over parallel downloads and throttles reports (one per <see cref="RepositoryClient.ProgressGranularity"/>
/// bytes per package), so that a fast link does not flood the daemon's progress notifications; on a slow link a package
/// still reports every <see cref="RepositoryClient.ProgressInterval"/>, so that clients see its bytes move in time
/// (a speed computed from 1 MiB steps every few seconds jumps).
/// </summary>
internal sealed class ProgressTracker
{
    private readonly IProgress<DownloadProgress>? _progress;
    private Action? _firstRequestIssued;
    private long _totalDone;

    public ProgressTracker(long totalBytes, IProgress<DownloadProgress>? progress, Action? firstRequestIssued = null)
    {
        TotalBytes = totalBytes;
        _progress = progress;
        _firstRequestIssued = firstRequestIssued;
    }

    public long TotalBytes { get; }

    /// <summary>Bytes of the images downloaded so far (after restarts, what the images hold now).</summary>
    public long BytesDone => Interlocked.Read(ref _totalDone);

    public PackageReporter For(PackageMetadata package) => new(this, package.FullName, package.Size);

    /// <summary>Adds (or, after a restart, subtracts) bytes; returns the new total.</summary>
    internal long Add(long delta) => Interlocked.Add(ref _totalDone, delta);

    internal void Report(in DownloadProgress report) => _progress?.Report(report);

    /// <summary>A request of this download went to the connection pool: the first one calls the owner's callback, once.</summary>
    internal void RequestIssued() => Interlocked.Exchange(ref _firstRequestIssued, null)?.Invoke();
}

/// <summary>Progress of one package; used by one download task at a time.</summary>
internal sealed class PackageReporter
{
    private readonly ProgressTracker _tracker;
    private readonly string _fullName;
    private readonly long _size;
    private long _done;
    private long _lastReported;
    private long _lastReportedAt = Stopwatch.GetTimestamp();

    public PackageReporter(ProgressTracker tracker, string fullName, long size)
    {
        _tracker = tracker;
        _fullName = fullName;
        _size = size;
    }

    /// <summary>This package's request went to the connection pool (it holds a connection now, or waits for one).</summary>
    public void RequestIssued() => _tracker.RequestIssued();

    public void Add(int bytes)
    {
        _done += bytes;
        long total = _tracker.Add(bytes);
        long now = Stopwatch.GetTimestamp();
        if (_done - _lastReported >= RepositoryClient.ProgressGranularity || now - _lastReportedAt >= RepositoryClient.ProgressInterval)
        {
            _lastReported = _done;
            _lastReportedAt = now;
            _tracker.Report(new DownloadProgress(_fullName, _done, _size, total, _tracker.TotalBytes, PackageCompleted: false));
        }
    }

    /// <summary>The package restarts from <paramref name="bytes"/> (0 after bad data, the partial length on resume).</summary>
    public void Reset(long bytes)
    {
        long total = _tracker.Add(bytes - _done);
        if (bytes != _done)
        {
            _done = bytes;
            _lastReported = bytes;
            _tracker.Report(new DownloadProgress(_fullName, _done, _size, total, _tracker.TotalBytes, PackageCompleted: false));
        }
    }

    public void Completed() =>
        _tracker.Report(new DownloadProgress(_fullName, _done, _size, _tracker.Add(0), _tracker.TotalBytes, PackageCompleted: true));
}
