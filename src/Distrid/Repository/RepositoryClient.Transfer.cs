using System.Buffers;
using System.Net;
using System.Net.Http.Headers;
using Distri.Core.Repository;
using ZstdSharp;

namespace Distrid.Repository;

public sealed partial class RepositoryClient
{
    /// <summary>Streams the whole .zst transport copy through the decompressor into <paramref name="partial"/>.</summary>
    private async Task FetchZstAsync(PartialImage partial, TransportFile? zst, Uri mirror, PackageReporter reporter, CancellationToken cancellationToken)
    {
        string what = RepositoryLayout.ZstPath(partial.FullName);
        using var request = new HttpRequestMessage(HttpMethod.Get, MirrorUrls.Resolve(mirror, what));
        using var guard = new StallGuard(_options, cancellationToken);
        using var response = await SendIssuedAsync(request, guard, what, reporter).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            throw StatusFailure(response, what);
        }

        // The compressed size is known from the index; without it, zstd's worst-case expansion bounds the transfer,
        // so that an endless stream of skippable frames cannot keep a download slot busy forever.
        long limit = zst?.Size ?? (partial.ExpectedSize + (partial.ExpectedSize >> 7) + (64 * 1024));
        long? announced = response.Content.Headers.ContentLength;
        if (announced is not null && (zst is not null ? announced != zst.Size : announced > limit))
        {
            throw new MirrorFailure(FailureKind.Permanent, $"{what} is {announced} bytes on the mirror, the index says {zst?.Size ?? limit}");
        }

        Stream body;
        try
        {
            body = await response.Content.ReadAsStreamAsync(guard.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (IsNetworkError(e, guard))
        {
            throw Describe(e, guard, what);
        }

        using var watched = new WatchedResponseStream(body, guard, limit, what);
        using var zstd = new DecompressionStream(watched, _options.BufferSize, checkEndOfStream: true, leaveOpen: false);
        try
        {
            await CopyToPartialAsync(zstd, partial, reporter, guard, what).ConfigureAwait(false);
        }
        catch (ZstdException e)
        {
            throw new MirrorFailure(FailureKind.Permanent, $"{what}: corrupt zstd data ({e.Message})", e);
        }

        if (partial.Length < partial.ExpectedSize)
        {
            throw new MirrorFailure(FailureKind.Permanent, $"{what}: decompresses to {partial.Length} bytes, the index says {partial.ExpectedSize}");
        }
    }

    /// <summary>Streams the plain image into <paramref name="partial"/>, resuming after its current length.</summary>
    private async Task FetchPlainAsync(PartialImage partial, Uri mirror, PackageReporter reporter, CancellationToken cancellationToken)
    {
        string what = RepositoryLayout.ImagePath(partial.FullName);
        using var request = new HttpRequestMessage(HttpMethod.Get, MirrorUrls.Resolve(mirror, what));
        long resumeAt = partial.Length;
        if (resumeAt > 0)
        {
            request.Headers.Range = new RangeHeaderValue(resumeAt, null);
        }

        using var guard = new StallGuard(_options, cancellationToken);
        using var response = await SendIssuedAsync(request, guard, what, reporter).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.RequestedRangeNotSatisfiable)
        {
            throw new MirrorFailure(FailureKind.Permanent, $"{what}: the mirror's file is shorter than the {partial.ExpectedSize} bytes the index says");
        }

        if (!response.IsSuccessStatusCode)
        {
            throw StatusFailure(response, what);
        }

        if (response.StatusCode == HttpStatusCode.PartialContent)
        {
            var range = response.Content.Headers.ContentRange;
            if (resumeAt == 0 || range?.From != resumeAt)
            {
                partial.Reset();
                reporter.Reset(0);
                throw new MirrorFailure(FailureKind.Transient, $"{what}: the mirror answered a different range than requested");
            }
        }
        else if (resumeAt > 0)
        {
            // The server ignored the Range header and sends the whole file.
            partial.Reset();
            reporter.Reset(0);
        }

        long? announced = response.Content.Headers.ContentLength;
        if (announced is not null && partial.Length + announced != partial.ExpectedSize)
        {
            throw new MirrorFailure(
                FailureKind.Permanent,
                $"{what} is {partial.Length + announced} bytes on the mirror, the index says {partial.ExpectedSize}");
        }

        Stream body;
        try
        {
            body = await response.Content.ReadAsStreamAsync(guard.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (IsNetworkError(e, guard))
        {
            throw Describe(e, guard, what);
        }

        using var watched = new WatchedResponseStream(body, guard, partial.ExpectedSize - partial.Length, what);
        await CopyToPartialAsync(watched, partial, reporter, guard, what).ConfigureAwait(false);
        if (partial.Length < partial.ExpectedSize)
        {
            throw new MirrorFailure(FailureKind.Permanent, $"{what}: truncated, the mirror sent {partial.Length} of {partial.ExpectedSize} bytes");
        }
    }

    /// <summary>
    /// Sends an image request and tells <paramref name="reporter"/> once it was issued. The pool hands out an idle
    /// connection synchronously inside the send, so by the time the reporter hears of it this request holds the
    /// warm connection if there was one.
    /// </summary>
    private Task<HttpResponseMessage> SendIssuedAsync(HttpRequestMessage request, StallGuard guard, string what, PackageReporter reporter)
    {
        var sending = SendAsync(request, guard, what);
        reporter.RequestIssued();
        return sending;
    }

    /// <summary>
    /// The hot loop: one pooled buffer per download, read (under the stall guard), append (hash + positional write).
    /// Network errors become transient failures; a local write error propagates as the IOException it is.
    /// </summary>
    private async Task CopyToPartialAsync(Stream source, PartialImage partial, PackageReporter reporter, StallGuard guard, string what)
    {
        byte[] buffer = ArrayPool<byte>.Shared.Rent(_options.BufferSize);
        try
        {
            var memory = buffer.AsMemory(0, _options.BufferSize);
            while (true)
            {
                int n;
                try
                {
                    n = await source.ReadAsync(memory, guard.Token).ConfigureAwait(false);
                }
                catch (Exception e) when (e is not ZstdException && e is not MirrorFailure && IsNetworkError(e, guard))
                {
                    throw Describe(e, guard, what);
                }

                if (n == 0)
                {
                    return;
                }

                partial.Append(buffer.AsSpan(0, n), what);
                reporter.Add(n);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
