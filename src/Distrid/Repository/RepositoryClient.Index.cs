using System.Buffers;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using Distri.Core.Repository;

namespace Distrid.Repository;

public sealed partial class RepositoryClient
{
    /// <summary>
    /// Fetches index.json and index.json.sig from the first mirror that serves a correctly signed, valid index,
    /// verifying the signature against the trusted keys before the index is parsed. Uses a conditional GET against the
    /// cached copy: a 304 answer re-verifies and returns the cache (<see cref="IndexFetchResult.NotModified"/>).
    /// Throws <see cref="RepositoryException"/> with one line per mirror when none succeeds.
    /// </summary>
    public async Task<IndexFetchResult> FetchIndexAsync(CancellationToken cancellationToken = default)
    {
        // One fetch at a time: the start-up refresh and a client's request may overlap, and both write the cache.
        await _indexFetchLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await FetchIndexLockedAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _indexFetchLock.Release();
        }
    }

    /// <summary>
    /// The index for a query: the last one this daemon verified, at once, whatever the mirrors are doing (a refresh
    /// in progress, a trickling mirror, a download). When that copy is older than
    /// <see cref="RepositoryClientOptions.IndexMaxAge"/> a refresh starts in the background (at most one at a time)
    /// for later queries. Only before any index was ever verified does this wait for a fetch: there is nothing else
    /// to answer from.
    /// </summary>
    public async Task<IndexFetchResult> LatestVerifiedAsync(CancellationToken cancellationToken = default)
    {
        if (_current is not { } current)
        {
            return await FetchIndexAsync(cancellationToken).ConfigureAwait(false);
        }

        if (Stopwatch.GetElapsedTime(Interlocked.Read(ref _currentVerifiedAt)) > _options.IndexMaxAge)
        {
            RefreshInBackground();
        }

        return current;
    }

    /// <summary>Starts one background refresh unless one is running (its failure only leaves the old index in place).</summary>
    private void RefreshInBackground()
    {
        if (Interlocked.CompareExchange(ref _backgroundRefreshes, 1, 0) != 0)
        {
            return;
        }

        _ = Task.Run(async () =>
        {
            try
            {
                await FetchIndexAsync(_disposing.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is RepositoryException or OperationCanceledException or ObjectDisposedException)
            {
                // The next transaction fetches again and reports the error to its caller; queries keep the old index.
            }
            finally
            {
                Volatile.Write(ref _backgroundRefreshes, 0);
            }
        });
    }

    private async Task<IndexFetchResult> FetchIndexLockedAsync(CancellationToken cancellationToken)
    {
        using var trusted = TrustedKeys.LoadDirectory(_options.TrustedKeysDirectory);
        var failures = new List<string>();
        foreach (var mirror in _options.Mirrors)
        {
            for (int attempt = 0; ; attempt++)
            {
                try
                {
                    var result = await FetchIndexFromAsync(mirror, trusted, cancellationToken).ConfigureAwait(false);
                    Interlocked.Exchange(ref _currentVerifiedAt, Stopwatch.GetTimestamp());
                    _current = result;
                    await NotifyIndexVerifiedAsync(result, cancellationToken).ConfigureAwait(false);
                    return result;
                }
                catch (MirrorFailure failure) when (failure.Kind == FailureKind.Transient && attempt < _options.Retries)
                {
                    await Task.Delay(RetryDelay(attempt), cancellationToken).ConfigureAwait(false);
                }
                catch (MirrorFailure failure)
                {
                    failures.Add($"mirror {MirrorUrls.Display(mirror)}: {failure.Message}");
                    break;
                }
                catch (RepositoryException e)
                {
                    // Signature or validation failure: this mirror serves something we must not use; try the next.
                    failures.Add($"mirror {MirrorUrls.Display(mirror)}: {e.Message}");
                    break;
                }
            }
        }

        throw new RepositoryException(string.Join("; ", failures));
    }

    private async Task<IndexFetchResult> FetchIndexFromAsync(Uri mirror, TrustedKeys trusted, CancellationToken cancellationToken)
    {
        var cache = new IndexCache(_options.CacheDirectory, mirror);
        var cached = cache.TryLoad(_options.MaxIndexSize);
        using var request = new HttpRequestMessage(HttpMethod.Get, MirrorUrls.Resolve(mirror, RepositoryLayout.IndexFile));
        if (cached is not null)
        {
            if (cached.ETag is not null && EntityTagHeaderValue.TryParse(cached.ETag, out var etag))
            {
                request.Headers.IfNoneMatch.Add(etag);
            }

            request.Headers.IfModifiedSince = cached.LastModified;
        }

        using var guard = new StallGuard(_options, cancellationToken);
        long sent = Stopwatch.GetTimestamp();
        using var response = await SendAsync(request, guard, RepositoryLayout.IndexFile).ConfigureAwait(false);
        ObserveRoundTrip(Stopwatch.GetElapsedTime(sent));
        if (response.StatusCode == HttpStatusCode.NotModified && cached is not null)
        {
            // Unchanged since this daemon last verified it (same mirror, same signature, signer still trusted): the
            // index in memory is that verified copy, so there is nothing to check or parse again.
            if (_current is { } known && known.Mirror == mirror && known.Signature.AsSpan().SequenceEqual(cached.Signature)
                && trusted.KeyIds.Contains(known.KeyId, StringComparer.Ordinal))
            {
                return known with { NotModified = true };
            }

            try
            {
                string keyId = KeyIdOf(cached.Signature);
                var index = trusted.VerifyAndParse(cached.Index, cached.Signature);
                return new IndexFetchResult(index, mirror, NotModified: true, keyId, cached.Signature);
            }
            catch (RepositoryException)
            {
                // The cache no longer verifies (a key was withdrawn, or the files were damaged): drop it, and fetch
                // unconditionally on the retry.
                cache.Discard();
                throw new MirrorFailure(FailureKind.Transient, "cached index no longer verifies; fetching it again");
            }
        }

        if (!response.IsSuccessStatusCode)
        {
            throw StatusFailure(response, RepositoryLayout.IndexFile);
        }

        byte[] indexBytes = await ReadBoundedAsync(response, guard, _options.MaxIndexSize, RepositoryLayout.IndexFile).ConfigureAwait(false);
        byte[] signature = await FetchSignatureAsync(mirror, cancellationToken).ConfigureAwait(false);

        // Verify before parsing: nothing of an unsigned index is interpreted.
        string signer = KeyIdOf(signature);
        var verified = trusted.VerifyAndParse(indexBytes, signature);
        cache.Save(indexBytes, signature, response.Headers.ETag, response.Content.Headers.LastModified);
        return new IndexFetchResult(verified, mirror, NotModified: false, signer, signature);
    }

    private async Task<byte[]> FetchSignatureAsync(Uri mirror, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, MirrorUrls.Resolve(mirror, RepositoryLayout.SignatureFile));
        using var guard = new StallGuard(_options, cancellationToken);
        using var response = await SendAsync(request, guard, RepositoryLayout.SignatureFile).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            var failure = StatusFailure(response, RepositoryLayout.SignatureFile);

            // A mirror without a signature is not usable, whatever the status says.
            throw failure.Kind == FailureKind.NotFound ? new MirrorFailure(FailureKind.Permanent, failure.Message) : failure;
        }

        return await ReadBoundedAsync(response, guard, IndexSignature.MaxFileSize, RepositoryLayout.SignatureFile).ConfigureAwait(false);
    }

    /// <summary>The key id a signature file names, for reporting; the signature itself is checked by <see cref="TrustedKeys"/>.</summary>
    private static string KeyIdOf(byte[] signatureFile) => IndexSignature.Parse(signatureFile).KeyId;

    /// <summary>
    /// Reads a whole (small) body, refusing one larger than <paramref name="limit"/> from its Content-Length before
    /// reading, or as soon as the limit is passed when the length is not announced.
    /// </summary>
    private static async Task<byte[]> ReadBoundedAsync(HttpResponseMessage response, StallGuard guard, long limit, string what)
    {
        long? announced = response.Content.Headers.ContentLength;
        if (announced > limit)
        {
            throw new MirrorFailure(FailureKind.Permanent, $"{what} is {announced} bytes, over the limit of {limit}");
        }

        var body = new ArrayBufferWriter<byte>((int)Math.Min(announced ?? 64 * 1024, limit) + 1);
        try
        {
            using var stream = new WatchedResponseStream(
                await response.Content.ReadAsStreamAsync(guard.Token).ConfigureAwait(false), guard, long.MaxValue, what);
            while (true)
            {
                int n = await stream.ReadAsync(body.GetMemory(16 * 1024)).ConfigureAwait(false);
                if (n == 0)
                {
                    break;
                }

                body.Advance(n);
                if (body.WrittenCount > limit)
                {
                    throw new MirrorFailure(FailureKind.Permanent, $"{what} is over the limit of {limit} bytes");
                }
            }
        }
        catch (Exception e) when (IsNetworkError(e, guard))
        {
            throw Describe(e, guard, what);
        }

        return body.WrittenSpan.ToArray();
    }
}
