using System.Collections.Concurrent;
using System.Diagnostics;
using Distri.Core.Packages;
using Distri.Core.Repository;

namespace Distrid.Repository;

public sealed partial class RepositoryClient
{
    /// <summary>
    /// Downloads the images of <paramref name="packages"/> into <paramref name="targetDirectory"/> as
    /// <c>&lt;fullname&gt;.squashfs</c> with its <c>&lt;fullname&gt;.meta.json</c>, as many at once as the link's
    /// bandwidth-delay product asks for (<see cref="DownloadSchedule"/>; at most
    /// <see cref="RepositoryClientOptions.DownloadParallelism"/>), largest and smallest alternately. Each image is streamed (from the .zst
    /// transport copy when the index lists one that is worth it, see <see cref="PrefersTransportCopy"/>) into a hidden
    /// temporary file while its sha256 is computed, checked against the metadata, fsynced and renamed into place after
    /// its metadata; an existing file of that name is replaced. One fsync of the directory at the end makes every new
    /// name durable (one per download instead of one per image). Interrupted transfers are retried and resumed with
    /// Range requests; failing mirrors are skipped for the next. Packages that fail leave nothing behind; the others still complete, then
    /// <see cref="DownloadFailedException"/> lists the failures. Cancellation deletes unfinished files and throws
    /// <see cref="OperationCanceledException"/>. Not meant for two concurrent calls on the same package and directory.
    /// <paramref name="mirrorsFor"/> may name, per package, the base URLs to try instead of this client's mirrors (the
    /// repositories that offer exactly that image, see <see cref="RepositorySet"/>). <paramref name="firstRequestIssued"/>
    /// is called once, as soon as the first image request holds a connection from the pool (or waits for one): a
    /// caller that has a request of its own to make gives the download the pool's warm connection this way.
    /// </summary>
    public async Task DownloadAsync(
        IReadOnlyList<PackageMetadata> packages,
        string targetDirectory,
        IProgress<DownloadProgress>? progress = null,
        CancellationToken cancellationToken = default,
        Func<PackageMetadata, IReadOnlyList<Uri>?>? mirrorsFor = null,
        Action? firstRequestIssued = null)
    {
        if (!Directory.Exists(targetDirectory))
        {
            throw new DirectoryNotFoundException($"download target {targetDirectory} does not exist");
        }

        var unique = new List<PackageMetadata>(packages.Count);
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var package in packages)
        {
            // The full name becomes a file name: validate it as strictly as an index entry, whatever the caller passed.
            if (!PackageName.TryParse(package.FullName, out _, out string? error) || package.FullName.Contains('/'))
            {
                throw new ArgumentException($"cannot download: {error ?? "'/' in full name"}", nameof(packages));
            }

            if (package.Size <= 0 || package.Sha256.Length != 64)
            {
                throw new ArgumentException($"cannot download {package.FullName}: metadata without size or sha256", nameof(packages));
            }

            if (names.Add(package.FullName))
            {
                unique.Add(package);
            }
        }

        var tracker = new ProgressTracker(unique.Sum(p => p.Size), progress, firstRequestIssued);
        var failures = new ConcurrentBag<string>();
        var mirrors = MirrorOrder();
        var index = _current?.Index;
        int parallelism = DownloadSchedule.Parallelism(
            unique, LinkRate, LinkRoundTrip, Math.Min(_options.MinimumDownloadParallelism, _options.DownloadParallelism), _options.DownloadParallelism);
        long started = Stopwatch.GetTimestamp();
        var commits = new ConcurrentBag<Task>();
        try
        {
            await Parallel.ForEachAsync(
                DownloadSchedule.Order(unique),
                new ParallelOptions { MaxDegreeOfParallelism = parallelism, CancellationToken = cancellationToken },
                async (package, ct) =>
                {
                    var entry = index?.Find(package.FullName);
                    var zst = entry is not null && entry.Sha256 == package.Sha256 && entry.Size == package.Size ? entry.Zst : null;
                    bool zstListed = entry is null || (zst is not null && PrefersTransportCopy(zst.Size, package.Size));
                    try
                    {
                        var from = mirrorsFor?.Invoke(package) is { Count: > 0 } chosen ? [.. chosen] : mirrors;
                        commits.Add(await DownloadPackageAsync(package, zstListed ? zst : null, zstListed, targetDirectory, from, tracker, ct).ConfigureAwait(false));
                    }
                    catch (RepositoryException e)
                    {
                        failures.Add(e.Message);
                    }
                }).ConfigureAwait(false);
        }
        finally
        {
            // Verified images are made durable in place even when the download as a whole ends early: nothing of a
            // download is still writing once this method returns or throws.
            foreach (var commit in commits)
            {
                try
                {
                    await commit.ConfigureAwait(false);
                }
                catch (RepositoryException e)
                {
                    failures.Add(e.Message);
                }
            }
        }

        ObserveLinkRate(tracker.BytesDone, Stopwatch.GetElapsedTime(started));

        // The renames of every image (and its metadata) that completed, durable with one fsync. Failed packages left
        // nothing behind; a crash before this point loses downloads, never a committed generation.
        AtomicFile.SyncDirectory(targetDirectory);
        if (!failures.IsEmpty)
        {
            throw new DownloadFailedException([.. failures.Order(StringComparer.Ordinal)]);
        }
    }

    /// <summary>
    /// Whether a .zst transport copy of <paramref name="transportSize"/> bytes is worth fetching instead of the
    /// <paramref name="imageSize"/>-byte image: only when it saves at least
    /// <see cref="RepositoryClientOptions.MinimumTransportSaving"/> of the bytes. Images whose SquashFS blocks are
    /// already compressed (every zstd or gzip image; Debian imports save about 1.5 %) shrink by a few percent: on a
    /// slow link that changes the transfer time by as little, on a fast one (LAN, a local mirror) decompressing costs
    /// more CPU time than the saved bytes take on the wire. An uncompressed image (<c>--compression none</c>) often
    /// halves and still comes as .zst.
    /// </summary>
    internal bool PrefersTransportCopy(long transportSize, long imageSize) =>
        transportSize <= imageSize * (1 - _options.MinimumTransportSaving);

    /// <summary>
    /// Downloads and verifies one package, trying each mirror in turn (a failure throws a one-line
    /// <see cref="RepositoryException"/>), and returns the task that makes the verified image durable in place. The
    /// caller's download slot is free for its next request meanwhile: the fsyncs of a commit would otherwise leave
    /// the slot's connection idle for their duration after every image, and on a WAN the link with it.
    /// </summary>
    private async Task<Task> DownloadPackageAsync(
        PackageMetadata package,
        TransportFile? zst,
        bool tryZst,
        string targetDirectory,
        List<Uri> mirrors,
        ProgressTracker tracker,
        CancellationToken cancellationToken)
    {
        var partial = new PartialImage(targetDirectory, package);
        var reporter = tracker.For(package);
        var failures = new List<string>();
        bool verified = false;
        try
        {
            foreach (var mirror in mirrors)
            {
                string? failure = await DownloadFromMirrorAsync(partial, zst, tryZst, mirror, reporter, cancellationToken).ConfigureAwait(false);
                if (failure is null)
                {
                    verified = true;
                    return Task.Run(() => CommitVerified(partial, reporter, targetDirectory), CancellationToken.None);
                }

                failures.Add(mirrors.Count == 1 ? failure : $"mirror {MirrorUrls.Display(mirror)}: {failure}");
            }
        }
        catch (IOException e)
        {
            // Local trouble (disk full, permissions): no mirror will fix it.
            failures.Add(WritingFailure(targetDirectory, e));
        }
        catch (UnauthorizedAccessException e)
        {
            failures.Add(WritingFailure(targetDirectory, e));
        }
        finally
        {
            if (!verified)
            {
                partial.Dispose();
            }
        }

        reporter.Reset(0);
        throw new RepositoryException($"{package.FullName}: {string.Join("; ", failures)}");
    }

    /// <summary>Puts a verified image in place durably (<see cref="PartialImage.Commit"/>), then reports it complete.</summary>
    private static void CommitVerified(PartialImage partial, PackageReporter reporter, string targetDirectory)
    {
        using (partial)
        {
            try
            {
                partial.Commit();
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                reporter.Reset(0);
                throw new RepositoryException($"{partial.FullName}: {WritingFailure(targetDirectory, e)}");
            }
        }

        reporter.Completed();
    }

    private static string WritingFailure(string targetDirectory, Exception e) => $"writing {targetDirectory}: {e.Message}";

    /// <summary>
    /// Tries one mirror, with retries for transient failures. Returns null on success (the image verified), else the
    /// reason. The partial image survives a transient failure so that the next attempt (or mirror) resumes it.
    /// </summary>
    private async Task<string?> DownloadFromMirrorAsync(
        PartialImage partial,
        TransportFile? zst,
        bool zstListed,
        Uri mirror,
        PackageReporter reporter,
        CancellationToken cancellationToken)
    {
        bool zstAvailable = zstListed;
        bool plainMissing = false;
        int attempt = 0;
        while (true)
        {
            // Resume a partial image with a Range request on the plain image (a cut .zst transfer too: its
            // decompressed bytes are a prefix of the image); otherwise prefer the smaller compressed copy.
            bool useZst = zstAvailable && (partial.Length == 0 || plainMissing);
            try
            {
                if (useZst)
                {
                    partial.Reset();
                    reporter.Reset(0);
                    await FetchZstAsync(partial, zst, mirror, reporter, cancellationToken).ConfigureAwait(false);
                }
                else
                {
                    await FetchPlainAsync(partial, mirror, reporter, cancellationToken).ConfigureAwait(false);
                }

                partial.Verify();
                return null;
            }
            catch (MirrorFailure failure) when (failure.Kind == FailureKind.NotFound)
            {
                if (useZst)
                {
                    zstAvailable = false;
                }
                else if (zstAvailable && !plainMissing)
                {
                    plainMissing = true;
                }
                else
                {
                    reporter.Reset(partial.Length);
                    return failure.Message;
                }
            }
            catch (MirrorFailure failure) when (failure.Kind == FailureKind.Transient)
            {
                reporter.Reset(partial.Length);
                if (attempt >= _options.Retries)
                {
                    return attempt == 0 ? failure.Message : $"{failure.Message} (after {attempt + 1} attempts)";
                }

                await Task.Delay(RetryDelay(attempt++), cancellationToken).ConfigureAwait(false);
            }
            catch (MirrorFailure failure)
            {
                // Bad data from this mirror: nothing of it is kept. A bad transport copy (stale or corrupt .zst) does
                // not condemn the mirror's plain image, which is tried next.
                partial.Reset();
                reporter.Reset(0);
                if (!useZst || plainMissing)
                {
                    return failure.Message;
                }

                zstAvailable = false;
            }
        }
    }
}
