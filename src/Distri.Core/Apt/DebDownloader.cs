using System.Buffers;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;

namespace Distri.Core.Apt;

/// <summary>
/// Downloads .debs into a content-addressed cache (<c>CACHE/&lt;sha256&gt;.deb</c>), several at once over reused
/// connections. A file already in the cache is not fetched again; an interrupted transfer resumes from its
/// <c>.part</c> file with a Range request; transient failures (connection errors, 5xx, a stall longer than the stall
/// timeout) are retried. A file enters the cache only after its size and SHA256 match the Packages index, so the
/// cache never holds unverified bytes.
/// </summary>
public sealed class DebDownloader
{
    private const int BufferSize = 1 << 16;

    private readonly AptHttp _http;
    private readonly string _cacheDirectory;

    public DebDownloader(AptHttp http, string cacheDirectory)
    {
        _http = http;
        _cacheDirectory = cacheDirectory;
    }

    public string CachePath(AptPackage package) => Path.Combine(_cacheDirectory, package.Sha256 + ".deb");

    /// <summary>Packages not yet in the cache.</summary>
    public IReadOnlyList<AptPackage> Missing(IEnumerable<AptPackage> packages) =>
        [.. packages.Where(p => !File.Exists(CachePath(p))).DistinctBy(p => p.Sha256)];

    /// <summary>Fetches every package missing from the cache; the first failure (after retries) is thrown.</summary>
    public async Task DownloadAsync(IReadOnlyList<AptPackage> packages, CancellationToken cancellationToken)
    {
        var missing = Missing(packages);
        if (missing.Count == 0)
        {
            return;
        }

        Directory.CreateDirectory(_cacheDirectory);
        // On the first failure ForEachAsync cancels the token the other transfers see and rethrows that failure.
        await Parallel.ForEachAsync(missing, new ParallelOptions
        {
            MaxDegreeOfParallelism = Math.Max(1, _http.Options.Parallelism),
            CancellationToken = cancellationToken,
        }, async (package, token) => await DownloadOneAsync(package, token).ConfigureAwait(false)).ConfigureAwait(false);
    }

    private async Task DownloadOneAsync(AptPackage package, CancellationToken cancellationToken)
    {
        string final = CachePath(package);
        string part = final + ".part";
        byte[] buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        try
        {
            for (int attempt = 1; ; attempt++)
            {
                try
                {
                    await TransferAsync(package, part, buffer, cancellationToken).ConfigureAwait(false);
                    break;
                }
                catch (TransientHttpException) when (attempt < _http.Options.Attempts)
                {
                    await Task.Delay(AptHttp.Backoff(attempt), cancellationToken).ConfigureAwait(false);
                }
                catch (TransientHttpException e)
                {
                    throw new AptArchiveException($"{package.Filename}: {e.Message} (after {attempt} attempts)");
                }
            }

            string? problem = Verify(part, package, buffer);
            if (problem is not null)
            {
                File.Delete(part);
                throw new AptArchiveException($"{package.Filename}: {problem}; the archive does not match its Packages index");
            }

            File.Move(part, final, overwrite: true);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private async Task TransferAsync(AptPackage package, string part, byte[] buffer, CancellationToken cancellationToken)
    {
        long have = File.Exists(part) ? new FileInfo(part).Length : 0;
        if (have > package.Size)
        {
            File.Delete(part);
            have = 0;
        }

        if (have == package.Size)
        {
            return;
        }

        using var request = new HttpRequestMessage(HttpMethod.Get, _http.UrlFor(package.Filename));
        if (have > 0)
        {
            request.Headers.Range = new RangeHeaderValue(have, null);
        }

        using var stall = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        stall.CancelAfter(_http.Options.StallTimeout);
        try
        {
            using var response = await _http.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, stall.Token).ConfigureAwait(false);
            if ((int)response.StatusCode >= 500)
            {
                throw new TransientHttpException($"HTTP {(int)response.StatusCode}");
            }

            if (!response.IsSuccessStatusCode)
            {
                throw new AptArchiveException($"{_http.UrlFor(package.Filename)}: HTTP {(int)response.StatusCode}");
            }

            // A server that ignores the Range header sends the whole file: start over.
            bool append = have > 0 && response.StatusCode == HttpStatusCode.PartialContent;
            if (!append)
            {
                have = 0;
            }

            if (response.Content.Headers.ContentLength is { } length && have + length != package.Size)
            {
                throw new AptArchiveException($"{package.Filename}: the server sends {have + length} bytes, the Packages index says {package.Size}");
            }

            using var body = await response.Content.ReadAsStreamAsync(stall.Token).ConfigureAwait(false);
            using var file = new FileStream(part, append ? FileMode.Append : FileMode.Create, FileAccess.Write, FileShare.None, 0);
            int n;
            while ((n = await body.ReadAsync(buffer.AsMemory(0, BufferSize), stall.Token).ConfigureAwait(false)) > 0)
            {
                stall.CancelAfter(_http.Options.StallTimeout);
                if (have + n > package.Size)
                {
                    throw new AptArchiveException($"{package.Filename}: larger than the {package.Size} bytes the Packages index says");
                }

                await file.WriteAsync(buffer.AsMemory(0, n), stall.Token).ConfigureAwait(false);
                have += n;
            }

            if (have != package.Size)
            {
                throw new TransientHttpException($"connection closed after {have} of {package.Size} bytes");
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TransientHttpException($"no data for {_http.Options.StallTimeout.TotalSeconds:0} s");
        }
        catch (HttpRequestException e)
        {
            throw new TransientHttpException(e.Message);
        }
        catch (IOException e) when (e is not FileNotFoundException)
        {
            throw new TransientHttpException(e.Message);
        }
    }

    private static string? Verify(string path, AptPackage package, byte[] buffer)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 0);
        if (file.Length != package.Size)
        {
            return $"{file.Length} bytes, expected {package.Size}";
        }

        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        int n;
        while ((n = file.Read(buffer, 0, BufferSize)) > 0)
        {
            hash.AppendData(buffer, 0, n);
        }

        string actual = Convert.ToHexStringLower(hash.GetHashAndReset());
        return actual == package.Sha256 ? null : $"SHA256 {actual}, expected {package.Sha256}";
    }
}
