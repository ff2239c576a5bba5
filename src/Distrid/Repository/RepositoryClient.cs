using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;

namespace Distrid.Repository;

/// <summary>
/// The daemon's view of its mirrors: fetches and verifies the signed index (<see cref="FetchIndexAsync"/>) and
/// downloads verified images in parallel (<see cref="DownloadAsync"/>). Mirrors are tried in order; a mirror that
/// cannot connect, answers 5xx or serves bad data is skipped for the next. Thread-safe; one instance per daemon.
/// </summary>
public sealed partial class RepositoryClient : IDisposable
{
    /// <summary>
    /// Per-package progress is reported every this many bytes or every <see cref="ProgressInterval"/>, whichever comes
    /// first, and at completion.
    /// </summary>
    public const long ProgressGranularity = 1 << 20;

    /// <summary>The longest a downloading package goes without a progress report: 200 ms, in <see cref="Stopwatch"/> ticks.</summary>
    public static readonly long ProgressInterval = Stopwatch.Frequency / 5;

    private readonly RepositoryClientOptions _options;
    private readonly HttpClient _http;
    private readonly SemaphoreSlim _indexFetchLock = new(1, 1);
    private readonly CancellationTokenSource _disposing = new();
    private volatile IndexFetchResult? _current;
    private long _currentVerifiedAt;
    private int _backgroundRefreshes;
    private int _disposed;

    public RepositoryClient(RepositoryClientOptions options)
    {
        if (options.Mirrors.Count == 0)
        {
            throw new ArgumentException("at least one mirror is needed", nameof(options));
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(options.DownloadParallelism, 1, nameof(options));
        ArgumentOutOfRangeException.ThrowIfLessThan(options.BufferSize, 4096, nameof(options));
        if (!(options.MinimumTransportSaving is >= 0 and < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(options), "MinimumTransportSaving must be in [0, 1)");
        }

        ArgumentOutOfRangeException.ThrowIfNegative(options.MinimumTransferRate, nameof(options));
        if (options.MinimumTransferRate > 0 && options.TransferRateWindow <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(options), "TransferRateWindow must be positive when a minimum transfer rate is set");
        }

        _options = options;
        var handler = new SocketsHttpHandler
        {
            // Keep-alive connections are reused across packages; one per parallel download (+1 for the index).
            MaxConnectionsPerServer = options.DownloadParallelism + 1,
            PooledConnectionIdleTimeout = TimeSpan.FromSeconds(60),
            PooledConnectionLifetime = TimeSpan.FromMinutes(10),
            ConnectTimeout = options.ConnectTimeout,
            AutomaticDecompression = DecompressionMethods.None,
            AllowAutoRedirect = true,
            MaxAutomaticRedirections = 5,
            UseCookies = false,
        };

        // No overall timeout: the stall guard aborts silent connections, a big image may take long on a slow link.
        _http = new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
        _http.DefaultRequestHeaders.UserAgent.Add(new ProductInfoHeaderValue("distrid", "1"));
    }

    /// <summary>The result of the last successful <see cref="FetchIndexAsync"/>, or null.</summary>
    public IndexFetchResult? Current => _current;

    public RepositoryClientOptions Options => _options;

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _disposing.Cancel();
        _http.Dispose();
        _disposing.Dispose();
        _indexFetchLock.Dispose();
    }

    /// <summary>Mirrors in the order to try: the one that served the current index first.</summary>
    private List<Uri> MirrorOrder()
    {
        var order = new List<Uri>(_options.Mirrors);
        if (_current is { } current && order.Remove(current.Mirror))
        {
            order.Insert(0, current.Mirror);
        }

        return order;
    }

    /// <summary>Sends a request under the stall guard and maps connection errors and bad statuses to <see cref="MirrorFailure"/>.</summary>
    private async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, StallGuard guard, string what)
    {
        HttpResponseMessage response;
        guard.Arm();
        try
        {
            response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, guard.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (IsNetworkError(e, guard))
        {
            throw Describe(e, guard, what);
        }
        finally
        {
            guard.Disarm();
        }

        return response;
    }

    /// <summary>The one-line failure for a non-success status.</summary>
    private static MirrorFailure StatusFailure(HttpResponseMessage response, string what)
    {
        int code = (int)response.StatusCode;
        var kind = response.StatusCode switch
        {
            HttpStatusCode.NotFound or HttpStatusCode.Gone => FailureKind.NotFound,
            HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests => FailureKind.Transient,
            _ when code >= 500 => FailureKind.Transient,
            _ => FailureKind.Permanent,
        };
        return new MirrorFailure(kind, $"{code} {response.ReasonPhrase ?? response.StatusCode.ToString()} for {what}");
    }

    private static bool IsNetworkError(Exception e, StallGuard guard) =>
        e is HttpRequestException or HttpIOException or IOException or SocketException
        || (e is OperationCanceledException && guard.Fired);

    /// <summary>Turns a network exception into a transient failure with a short reason (the innermost message).</summary>
    private static MirrorFailure Describe(Exception e, StallGuard guard, string what)
    {
        if (e is OperationCanceledException && guard.FiredForRate)
        {
            return new MirrorFailure(FailureKind.Transient, $"{what}: {guard.DescribeRate()}", e);
        }

        if (e is OperationCanceledException && guard.Fired)
        {
            return new MirrorFailure(FailureKind.Transient, $"{what}: stalled, no data for {guard.Timeout.TotalSeconds:0.###} s", e);
        }

        var inner = e;
        while (inner.InnerException is not null)
        {
            inner = inner.InnerException;
        }

        string reason = inner == e ? e.Message : $"{e.Message.TrimEnd('.')}: {inner.Message}";
        return new MirrorFailure(FailureKind.Transient, $"{what}: {reason.ReplaceLineEndings(" ")}", e);
    }

    private TimeSpan RetryDelay(int attempt) =>
        TimeSpan.FromTicks(_options.RetryBaseDelay.Ticks << Math.Min(attempt, 16)) * (0.8 + (0.4 * Random.Shared.NextDouble()));
}
