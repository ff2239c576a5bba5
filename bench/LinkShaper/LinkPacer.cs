using System.Diagnostics;

namespace LinkShaper;

/// <summary>
/// One direction's bottleneck, shared by every connection: a link that sends one chunk after another at the rate,
/// kept as a virtual clock. Each chunk reserves the next free slot (its bytes at the rate) and learns when its last
/// bit has left; connections interleave chunk by chunk and together never exceed the rate. The link never bursts:
/// a slot starts no earlier than now.
/// </summary>
public sealed class LinkPacer
{
    private readonly double _ticksPerByte;
    private readonly Lock _lock = new();
    private long _nextFree;

    public LinkPacer(double bytesPerSecond)
    {
        _ticksPerByte = bytesPerSecond > 0 ? Stopwatch.Frequency / bytesPerSecond : 0;
    }

    public bool Unlimited => _ticksPerByte == 0;

    /// <summary>Reserves the link for <paramref name="bytes"/>; returns the timestamp when their last bit has left.</summary>
    public long Reserve(int bytes, long now)
    {
        if (Unlimited)
        {
            return now;
        }
        lock (_lock)
        {
            _nextFree = Math.Max(_nextFree, now) + (long)(bytes * _ticksPerByte);
            return _nextFree;
        }
    }

    /// <summary>The chunk size that keeps one chunk's slot near two milliseconds (between 4 and 64 KiB).</summary>
    public static int ChunkSize(double bytesPerSecond) =>
        bytesPerSecond <= 0 ? 64 * 1024 : (int)Math.Clamp(bytesPerSecond * 0.002, 4 * 1024, 64 * 1024);
}
