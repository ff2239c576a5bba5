using System.Diagnostics;

namespace Distrid.Repository;

public sealed partial class RepositoryClient
{
    /// <summary>What the link is assumed to carry before a download has measured it: 1 Gbit/s.</summary>
    private const double AssumedBytesPerSecond = 125e6;

    /// <summary>Downloads shorter than this say too little about the link to update its rate.</summary>
    private static readonly TimeSpan RateSampleMinimum = TimeSpan.FromMilliseconds(200);

    private long _roundTripTicks;
    private long _bytesPerSecond;

    /// <summary>
    /// The mirror's round trip as the last index request saw it (request sent to response headers; on a new
    /// connection that includes the handshake, which errs towards more parallelism). Zero before any request.
    /// </summary>
    internal TimeSpan LinkRoundTrip => Stopwatch.GetElapsedTime(0, Interlocked.Read(ref _roundTripTicks));

    /// <summary>The last measured download rate in bytes per second, or <see cref="AssumedBytesPerSecond"/>.</summary>
    internal double LinkRate => Interlocked.Read(ref _bytesPerSecond) is long measured and > 0 ? measured : AssumedBytesPerSecond;

    private void ObserveRoundTrip(TimeSpan roundTrip) => Interlocked.Exchange(ref _roundTripTicks, (long)(roundTrip.TotalSeconds * Stopwatch.Frequency));

    private void ObserveLinkRate(long bytes, TimeSpan elapsed)
    {
        if (elapsed >= RateSampleMinimum && bytes > 0)
        {
            Interlocked.Exchange(ref _bytesPerSecond, (long)(bytes / elapsed.TotalSeconds));
        }
    }
}
