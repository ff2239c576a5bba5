using System.Diagnostics;

namespace LinkShaper;

/// <summary>Waiting for a <see cref="Stopwatch"/> timestamp with the runtime's millisecond timers.</summary>
internal static class Clock
{
    private static readonly long HalfMillisecond = Stopwatch.Frequency / 2000;

    /// <summary>
    /// Returns at (or up to about a millisecond after) <paramref name="timestamp"/>; returns at once when less than
    /// half a millisecond is left, so that callers working from absolute times never fall behind by timer rounding.
    /// </summary>
    public static async ValueTask WaitUntilAsync(long timestamp, CancellationToken cancel)
    {
        while (true)
        {
            long left = timestamp - Stopwatch.GetTimestamp();
            if (left <= HalfMillisecond)
            {
                return;
            }
            await Task.Delay(TimeSpan.FromMilliseconds(Math.Ceiling(left * 1000.0 / Stopwatch.Frequency)), cancel);
        }
    }
}
