using System.Security.Cryptography;
using Distri.Core.Repository;

namespace Distrid.Repository;

public sealed partial class RepositoryClient
{
    /// <summary>
    /// Called after every successful <see cref="FetchIndexAsync"/> (a 304 included), under the index lock, with the
    /// verified index: the daemon installs the repository's AppStream catalog from it. Must not throw.
    /// </summary>
    public Func<IndexFetchResult, CancellationToken, Task>? IndexVerified { get; set; }

    /// <summary>
    /// Downloads a small file the verified index names (the AppStream catalog, its icons) from the mirror that served
    /// the index, refusing more than the index announces or <paramref name="limit"/>, and checks its sha256 before
    /// anything reads it. Throws <see cref="RepositoryException"/> with one line.
    /// </summary>
    public async Task<byte[]> DownloadIndexedFileAsync(Uri mirror, string relativePath, TransportFile expected, long limit, CancellationToken cancellationToken)
    {
        if (expected.Size > limit)
        {
            throw new RepositoryException($"{relativePath}: the index announces {expected.Size} bytes, over the limit of {limit}");
        }

        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, MirrorUrls.Resolve(mirror, relativePath));
            using var guard = new StallGuard(_options, cancellationToken);
            using var response = await SendAsync(request, guard, relativePath).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                throw StatusFailure(response, relativePath);
            }

            byte[] bytes = await ReadBoundedAsync(response, guard, expected.Size, relativePath).ConfigureAwait(false);
            if (bytes.Length != expected.Size || Convert.ToHexStringLower(SHA256.HashData(bytes)) != expected.Sha256)
            {
                throw new RepositoryException($"{relativePath} from {MirrorUrls.Display(mirror)} does not match the signed index (size or sha256)");
            }

            return bytes;
        }
        catch (MirrorFailure failure)
        {
            throw new RepositoryException($"mirror {MirrorUrls.Display(mirror)}: {failure.Message}", failure);
        }
    }

    private async Task NotifyIndexVerifiedAsync(IndexFetchResult result, CancellationToken cancellationToken)
    {
        if (IndexVerified is { } observer)
        {
            await observer(result, cancellationToken).ConfigureAwait(false);
        }
    }
}
