using System.Diagnostics;

namespace Districtl.Output;

/// <summary>
/// A transfer rate from a sliding window of cumulative byte counts: the bytes gained between the oldest sample still
/// covering the window and the newest, over the time between them. Sampled at a steady tick from the daemon's counts,
/// it smooths the steps in which those counts arrive and follows the link within one window; a rate taken from the
/// gap between two notifications (as a per-update speed is) reads absurd values when notifications come in bursts.
/// Thread-safe: the display's tick samples, its renderer reads.
/// </summary>
internal sealed class RateWindow(TimeSpan window)
{
    /// <summary>No rate is claimed from less history than this.</summary>
    private static readonly long MinimumSpan = Stopwatch.Frequency / 2;

    private readonly long _window = (long)(window.TotalSeconds * Stopwatch.Frequency);
    private readonly Queue<(long At, long Bytes)> _samples = new();
    private readonly Lock _lock = new();

    /// <summary>Records the cumulative <paramref name="bytes"/> at <paramref name="at"/> (a <see cref="Stopwatch"/> timestamp).</summary>
    public void Sample(long at, long bytes)
    {
        lock (_lock)
        {
            _samples.Enqueue((at, bytes));
            // Keep one sample at or before the window's start, so that the rate always spans the whole window.
            while (_samples.Count > 2 && _samples.ElementAt(1).At <= at - _window)
            {
                _samples.Dequeue();
            }
        }
    }

    /// <summary>Bytes per second over the window, or null while it holds less than half a second.</summary>
    public double? BytesPerSecond
    {
        get
        {
            lock (_lock)
            {
                if (_samples.Count < 2)
                {
                    return null;
                }

                var (firstAt, firstBytes) = _samples.Peek();
                var (lastAt, lastBytes) = _samples.Last();
                long span = lastAt - firstAt;
                return span < MinimumSpan ? null : (lastBytes - firstBytes) * (double)Stopwatch.Frequency / span;
            }
        }
    }
}
