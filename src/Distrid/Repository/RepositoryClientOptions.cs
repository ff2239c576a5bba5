namespace Distrid.Repository;

/// <summary>How the daemon talks to its mirrors. Every limit has a safe default; tests shorten the timeouts.</summary>
public sealed record RepositoryClientOptions
{
    /// <summary>Base URLs of the mirrors, in order of preference (the next one is tried when one fails).</summary>
    public required IReadOnlyList<Uri> Mirrors { get; init; }

    /// <summary>Directory of trusted <c>*.pub</c> keys (DESIGN.md default <c>/etc/distri/trusted.d</c>), read at every index fetch.</summary>
    public required string TrustedKeysDirectory { get; init; }

    /// <summary>Where verified indexes, their signatures and HTTP validators are cached (under the state directory).</summary>
    public required string CacheDirectory { get; init; }

    /// <summary>
    /// The most packages downloaded at once (also the connection limit per mirror); a download uses fewer when the
    /// link's bandwidth-delay product needs fewer (see <see cref="DownloadSchedule"/>), but no fewer than
    /// <see cref="MinimumDownloadParallelism"/>.
    /// </summary>
    public int DownloadParallelism { get; init; } = 16;

    /// <summary>Packages downloaded at once however short the round trip (a LAN, loopback).</summary>
    public int MinimumDownloadParallelism { get; init; } = 4;

    /// <summary>A connection that delivers no byte for this long is aborted (and retried).</summary>
    public TimeSpan StallTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// A body that delivers fewer bytes per second than this over <see cref="TransferRateWindow"/> is aborted as too
    /// slow (a transient failure: retried, then the next mirror); 0 turns the rule off. 1 KiB/s is below any link
    /// people still download over (GPRS gives about 5 KiB/s), so an honest slow link is never failed, while a
    /// trickling or tarpitting server is caught within one window. It is not a total time limit: a large image at
    /// 50 KiB/s takes as long as it takes. Slower-but-alive mirrors are the user's to cancel (Ctrl-C), and they no
    /// longer hold anyone else up: queries never wait on a download.
    /// </summary>
    public long MinimumTransferRate { get; init; } = 1024;

    /// <summary>
    /// The sliding window of <see cref="MinimumTransferRate"/>: long enough to ride out TCP's retransmission backoff
    /// on a lossy link (seconds without a byte), short enough that a trickle fails an attempt in half a minute.
    /// </summary>
    public TimeSpan TransferRateWindow { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Queries (list --available, search, info) answer from the last verified index and never wait on the network;
    /// one that finds that index older than this starts a refresh in the background for the queries after it.
    /// Transactions always ask the mirror (a conditional GET).
    /// </summary>
    public TimeSpan IndexMaxAge { get; init; } = TimeSpan.FromSeconds(60);

    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>Retries per mirror after a transient error (connection lost or refused, stall, 5xx, 408, 429).</summary>
    public int Retries { get; init; } = 3;

    /// <summary>First retry delay; each further retry doubles it.</summary>
    public TimeSpan RetryBaseDelay { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>An index larger than this is refused without being read.</summary>
    public long MaxIndexSize { get; init; } = 64L << 20;

    /// <summary>
    /// The .zst transport copy is fetched only when it is at least this fraction smaller than the image (0.1: 10 %);
    /// 0 takes it whenever it is no larger. Below that, decompressing costs more than the bytes saved.
    /// </summary>
    public double MinimumTransportSaving { get; init; } = 0.10;

    /// <summary>Bytes per read and write of a download (one pooled buffer per running download).</summary>
    public int BufferSize { get; init; } = 256 * 1024;
}
