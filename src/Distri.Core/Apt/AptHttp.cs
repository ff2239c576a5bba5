using System.Net;

namespace Distri.Core.Apt;

/// <summary>How the importer talks HTTP: one client (connections reused), a stall timeout, retries.</summary>
public sealed record AptHttpOptions
{
    /// <summary>A request whose connection stays silent this long is aborted (and retried).</summary>
    public TimeSpan StallTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Attempts per file for transient failures (connection errors, 5xx, stalls).</summary>
    public int Attempts { get; init; } = 4;

    /// <summary>.deb downloads at once (and connections per server).</summary>
    public int Parallelism { get; init; } = 4;
}

/// <summary>Bounded GETs of archive metadata (InRelease, Packages, Contents) with retries and a stall timeout.</summary>
public sealed class AptHttp : IDisposable
{
    private readonly HttpClient _client;

    public AptHttp(Uri source, AptHttpOptions options)
    {
        Source = source.AbsoluteUri.EndsWith('/') ? source : new Uri(source.AbsoluteUri + "/");
        Options = options;
        _client = new HttpClient(new SocketsHttpHandler
        {
            MaxConnectionsPerServer = Math.Max(1, options.Parallelism),
            PooledConnectionIdleTimeout = TimeSpan.FromSeconds(30),
            AutomaticDecompression = DecompressionMethods.None,
            ConnectTimeout = options.StallTimeout,
        })
        {
            Timeout = Timeout.InfiniteTimeSpan,
        };
        _client.DefaultRequestHeaders.UserAgent.ParseAdd("districtl-import-apt");
    }

    public Uri Source { get; }

    public AptHttpOptions Options { get; }

    public HttpClient Client => _client;

    /// <summary>The URL of an archive path; each segment is escaped (pool file names may hold '%', '+', '~').</summary>
    public Uri UrlFor(string relativePath) =>
        new(Source, string.Join('/', relativePath.Split('/').Select(Uri.EscapeDataString)));

    /// <summary>The whole file, at most <paramref name="maxBytes"/>; null when the server says 404.</summary>
    public async Task<byte[]?> TryGetAsync(string relativePath, long maxBytes, CancellationToken cancellationToken)
    {
        for (int attempt = 1; ; attempt++)
        {
            try
            {
                return await GetOnceAsync(relativePath, maxBytes, cancellationToken).ConfigureAwait(false);
            }
            catch (TransientHttpException) when (attempt < Options.Attempts)
            {
                await Task.Delay(Backoff(attempt), cancellationToken).ConfigureAwait(false);
            }
            catch (TransientHttpException e)
            {
                throw new AptArchiveException($"{UrlFor(relativePath)}: {e.Message} (after {attempt} attempts)");
            }
        }
    }

    public static TimeSpan Backoff(int attempt) => TimeSpan.FromMilliseconds(200 * (1 << Math.Min(attempt, 5)));

    private async Task<byte[]?> GetOnceAsync(string relativePath, long maxBytes, CancellationToken cancellationToken)
    {
        using var stall = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        stall.CancelAfter(Options.StallTimeout);
        try
        {
            using var response = await _client.GetAsync(UrlFor(relativePath), HttpCompletionOption.ResponseHeadersRead, stall.Token).ConfigureAwait(false);
            if (response.StatusCode == HttpStatusCode.NotFound)
            {
                return null;
            }

            if ((int)response.StatusCode >= 500)
            {
                throw new TransientHttpException($"HTTP {(int)response.StatusCode}");
            }

            if (!response.IsSuccessStatusCode)
            {
                throw new AptArchiveException($"{UrlFor(relativePath)}: HTTP {(int)response.StatusCode}");
            }

            if (response.Content.Headers.ContentLength > maxBytes)
            {
                throw new AptArchiveException($"{UrlFor(relativePath)}: larger than {maxBytes} bytes");
            }

            using var body = await response.Content.ReadAsStreamAsync(stall.Token).ConfigureAwait(false);
            using var memory = new MemoryStream();
            byte[] buffer = new byte[1 << 16];
            int n;
            while ((n = await body.ReadAsync(buffer, stall.Token).ConfigureAwait(false)) > 0)
            {
                stall.CancelAfter(Options.StallTimeout);
                if (memory.Length + n > maxBytes)
                {
                    throw new AptArchiveException($"{UrlFor(relativePath)}: larger than {maxBytes} bytes");
                }

                memory.Write(buffer, 0, n);
            }

            return memory.ToArray();
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TransientHttpException($"no data for {Options.StallTimeout.TotalSeconds:0} s");
        }
        catch (HttpRequestException e)
        {
            throw new TransientHttpException(e.Message);
        }
        catch (IOException e)
        {
            throw new TransientHttpException(e.Message);
        }
    }

    public void Dispose() => _client.Dispose();
}

/// <summary>A failure worth another attempt: connection refused or reset, 5xx, a stall.</summary>
public sealed class TransientHttpException(string message) : Exception(message);
