using Distrid.Protocol;

namespace Distrid.Api.DBus;

/// <summary>
/// Decides which progress reports become broadcast signals: the first of every phase, then at most one per
/// interval; the newest report held back is kept so that <see cref="TakePending"/> can send it before Finished
/// (clients always see the last state). Reports that go backwards within a phase (thread-pool reordering) are
/// dropped. Not thread-safe: its owner serializes calls. Timestamps are <see cref="System.Diagnostics.Stopwatch"/> ticks.
/// </summary>
internal sealed class ProgressThrottle(long intervalTicks)
{
    private long _lastSent;
    private string? _phase;
    private long _lastDone = -1;
    private ProgressInfo? _pending;

    /// <summary>True when <paramref name="progress"/> should be sent now; otherwise it is held as pending.</summary>
    public bool Offer(ProgressInfo progress, long now)
    {
        if (progress.Phase == _phase && progress.TotalBytesDone < _lastDone)
        {
            return false;
        }

        bool send = progress.Phase != _phase || now - _lastSent >= intervalTicks;
        _phase = progress.Phase;
        _lastDone = progress.TotalBytesDone;
        if (send)
        {
            _lastSent = now;
            _pending = null;
        }
        else
        {
            _pending = progress;
        }

        return send;
    }

    /// <summary>The newest report not yet sent, once.</summary>
    public ProgressInfo? TakePending()
    {
        var pending = _pending;
        _pending = null;
        return pending;
    }

    /// <summary>0-100, or 101 (PackageKit's "unknown") before the sizes are known.</summary>
    public static uint Percent(ProgressInfo progress) => progress.TotalBytes <= 0
        ? 101
        : (uint)Math.Min(100, progress.TotalBytesDone * 100 / progress.TotalBytes);
}
