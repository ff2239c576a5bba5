using System.Diagnostics;

namespace LinkShaper;

/// <summary>
/// One direction's bottleneck, shared by every connection: a link that sends one chunk after another at the rate,
/// kept as a virtual clock. Each chunk reserves the next free slot (its bytes at the rate) and learns when its last
/// bit has left; connections interleave chunk by chunk and together never exceed the rate. The link never bursts:
/// a slot starts no earlier than now. It also keeps account of how busy it was (<see cref="TakeUsage"/>).
/// </summary>
public sealed class LinkPacer
{
    private readonly double _ticksPerByte;
    private readonly Lock _lock = new();
    private long _nextFree;
    private LinkUsage _usage;

    public LinkPacer(double bytesPerSecond)
    {
        _ticksPerByte = bytesPerSecond > 0 ? Stopwatch.Frequency / bytesPerSecond : 0;
    }

    public bool Unlimited => _ticksPerByte == 0;

    /// <summary>Reserves the link for <paramref name="bytes"/>; returns the timestamp when their last bit has left.</summary>
    public long Reserve(int bytes, long now)
    {
        lock (_lock)
        {
            long start = Math.Max(_nextFree, now);
            _usage = _usage.Add(start, bytes, _nextFree);
            _nextFree = start + (long)(bytes * _ticksPerByte);
            _usage = _usage with { LastEnd = _nextFree };
            return Unlimited ? now : _nextFree;
        }
    }

    /// <summary>What the link carried since the last call (or since it started), and starts a new account.</summary>
    public LinkUsage TakeUsage()
    {
        lock (_lock)
        {
            var usage = _usage;
            _usage = default;
            return usage;
        }
    }

    /// <summary>The chunk size that keeps one chunk's slot near two milliseconds (between 4 and 64 KiB).</summary>
    public static int ChunkSize(double bytesPerSecond) =>
        bytesPerSecond <= 0 ? 64 * 1024 : (int)Math.Clamp(bytesPerSecond * 0.002, 4 * 1024, 64 * 1024);
}

/// <summary>
/// A link's account between two readings: bytes, the first slot's start and the last slot's end (timestamps), and
/// the time the link stood idle between them (a slot that had to wait for data, not for the link). Span minus idle
/// is the time the bytes needed at the rate: idle time is what a client left on the table.
/// </summary>
public readonly record struct LinkUsage(long Bytes, long FirstStart, long LastEnd, long IdleTicks, int IdleGaps, long LongestGap = 0, long LongestGapAt = 0)
{
    /// <summary>Idle stretches shorter than this are scheduling noise of the shaper itself, not a client's gap.</summary>
    private static readonly long NoiseTicks = Stopwatch.Frequency / 2000;

    public LinkUsage Add(long start, int bytes, long previousEnd)
    {
        if (Bytes == 0)
        {
            return new LinkUsage(bytes, start, start, 0, 0);
        }

        long idle = start - Math.Max(previousEnd, FirstStart);
        if (idle <= NoiseTicks)
        {
            return this with { Bytes = Bytes + bytes };
        }

        var counted = this with { Bytes = Bytes + bytes, IdleTicks = IdleTicks + idle, IdleGaps = IdleGaps + 1 };
        return idle > LongestGap ? counted with { LongestGap = idle, LongestGapAt = start - idle - FirstStart } : counted;
    }

    /// <summary>
    /// One line: bytes, span and idle time in milliseconds, and when the span began and ended (Unix seconds, so that a
    /// script can set them against its own clock).
    /// </summary>
    public string Describe(string direction)
    {
        if (Bytes == 0)
        {
            return $"{direction}: nothing";
        }

        double Ms(long ticks) => ticks * 1000.0 / Stopwatch.Frequency;
        double Unix(long timestamp) => (DateTimeOffset.UtcNow - Stopwatch.GetElapsedTime(timestamp, Stopwatch.GetTimestamp())).ToUnixTimeMilliseconds() / 1000.0;
        return FormattableString.Invariant(
            $"{direction}: {Bytes} bytes span {Ms(LastEnd - FirstStart):0.0} ms from {Unix(FirstStart):0.000} to {Unix(LastEnd):0.000} idle {Ms(IdleTicks):0.0} ms in {IdleGaps} gaps, the longest {Ms(LongestGap):0.0} ms at {Ms(LongestGapAt):0.0} ms");
    }
}
