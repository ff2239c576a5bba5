using System.Buffers;
using System.Diagnostics;
using System.Security.Cryptography;
using Distri.Core.Packages;
using Distri.Core.Repository;
using Distrid.Generations;
using Distrid.Protocol;
using Distrid.Repository;
using Distrid.Store;
using Distrid.Transactions.Operations;
using Microsoft.Extensions.Logging;

namespace Distrid.Transactions;

/// <summary>
/// Runs every mutating transaction, one at a time (a second gets <see cref="TransactionError.Busy"/> with the
/// running one's description): plan, download what is missing (verified), commit one generation atomically,
/// publish it, and for gc delete what no kept generation names. Until the commit's rename nothing the user has
/// changes; a crash or cancellation before it leaves the old generation current. Both API front ends call this.
/// </summary>
internal sealed class TransactionService(
    PackageStore store, GenerationStore generations, IGenerationPublisher publisher, ILogger<TransactionService> logger, RepositorySet? repository = null)
{
    /// <summary>A mirror this far away (a WAN) leaves the CPUs idle between bytes: new images' manifests are read as they arrive.</summary>
    private static readonly TimeSpan PrefetchRoundTrip = TimeSpan.FromMilliseconds(2);

    private readonly SemaphoreSlim _lock = new(1, 1);
    private RunningTransaction? _running;

    /// <summary>The running transaction's description, or null when idle.</summary>
    public string? Running => Current?.Description;

    /// <summary>The running transaction, or null when idle.</summary>
    public RunningTransaction? Current => Volatile.Read(ref _running);

    /// <summary>
    /// Runs <paramref name="operation"/> unless another transaction is running. <paramref name="startedBy"/> and
    /// <paramref name="detached"/> only describe it for <c>status</c>; whether the caller's departure cancels it is the
    /// caller's <paramref name="cancellationToken"/>.
    /// </summary>
    public async Task<TransactionResult> RunAsync(
        TransactionOperation operation, TransactionMode mode, IProgress<ProgressInfo>? progress, CancellationToken cancellationToken, string startedBy = "daemon", bool detached = false,
        TransactionOrigin? origin = null)
    {
        if (!await _lock.WaitAsync(0, cancellationToken))
        {
            throw new TransactionException(TransactionError.Busy, $"busy: another transaction is running ({Running})");
        }

        Volatile.Write(ref _running, new RunningTransaction(operation.Description, startedBy, detached, DateTimeOffset.UtcNow));
        try
        {
            return await RunLockedAsync(operation, mode, progress, cancellationToken, origin ?? TransactionOrigin.Internal(startedBy));
        }
        finally
        {
            Volatile.Write(ref _running, null);
            _lock.Release();
        }
    }

    /// <summary>
    /// What the repositories offered at the last verified index, for queries: never waits on a mirror, a refresh or a
    /// download once one index was verified (see <see cref="RepositorySet.LatestVerifiedAsync"/>).
    /// </summary>
    public async Task<IReadOnlyList<PackageMetadata>> AvailableForQueryAsync(CancellationToken cancellationToken)
    {
        if (repository is null)
        {
            return [];
        }

        try
        {
            var fetched = await repository.LatestVerifiedAsync(cancellationToken);
            return [.. fetched.Packages.Select(e => e.Metadata)];
        }
        catch (RepositoryException e)
        {
            throw new TransactionException(TransactionError.Download, e.Message, e);
        }
    }

    /// <summary>What the repositories offer now (fetching the index when a mirror is configured).</summary>
    public async Task<IReadOnlyList<PackageMetadata>> AvailableAsync(CancellationToken cancellationToken)
    {
        if (repository is null)
        {
            return [];
        }

        try
        {
            var fetched = await repository.FetchIndexAsync(cancellationToken);
            return [.. fetched.Packages.Select(e => e.Metadata)];
        }
        catch (RepositoryException e)
        {
            throw new TransactionException(TransactionError.Download, e.Message, e);
        }
    }

    /// <summary>What the repositories offer now, asked for once <paramref name="after"/> completed.</summary>
    private async Task<IReadOnlyList<PackageMetadata>> AvailableAfterAsync(Task after, CancellationToken cancellationToken)
    {
        await after.WaitAsync(cancellationToken);
        return await AvailableAsync(cancellationToken);
    }

    private async Task<TransactionResult> RunLockedAsync(
        TransactionOperation operation, TransactionMode mode, IProgress<ProgressInfo>? progress, CancellationToken cancellationToken, TransactionOrigin origin)
    {
        long started = Stopwatch.GetTimestamp();
        progress?.Report(new ProgressInfo("resolve", null, 0, 0, 0, 0));
        var current = generations.Current ?? throw new TransactionException(TransactionError.Storage, "no current generation");
        var stored = store.Scan();
        IReadOnlyList<PackageMetadata> available = [];
        EarlyDownload? early = null;
        try
        {
            if (operation.NeedsIndex)
            {
                // The images the last verified index plans for start at once, beside the index's conditional GET
                // instead of a round trip after it, and the first of them takes the pool's warm connection: their
                // bytes are what the install waits for, the check's answer only at the commit (EarlyDownload).
                early = mode == TransactionMode.DryRun ? null : StartEarlyDownload(operation, current, stored, cancellationToken);
                available = await (early is null ? AvailableAsync(cancellationToken) : AvailableAfterAsync(early.RequestIssued, cancellationToken));
            }

            var resolution = Resolve(operation, current, stored, available);
            if (early is not null && !early.Covers(resolution.Downloads))
            {
                logger.LogInformation("{Description}: the index changed since it was last verified; fetching for the fresh plan instead", operation.Description);
                // The fresh index plans other images: stop fetching for the old plan, forget what it fetched that the
                // fresh index does not offer exactly, and plan again on the store as it is now.
                await early.DisposeAsync();
                ForgetStale(early.Downloads, stored, available);
                early = null;
                stored = store.Scan();
                resolution = Resolve(operation, current, stored, available);
            }

            // From here on RunResolvedAsync owns the early download (and disposes it).
            var handed = early;
            early = null;
            return await RunResolvedAsync(operation, mode, progress, cancellationToken, origin, started, current, resolution, handed);
        }
        catch (OperationCanceledException e) when (cancellationToken.IsCancellationRequested)
        {
            // Cancelled while the index was on its way (nothing begun yet): reported like any other cancellation.
            throw Translate(e);
        }
        finally
        {
            if (early is not null)
            {
                await early.DisposeAsync();
            }
        }
    }

    /// <summary>A plan and what it needs imported and downloaded.</summary>
    private sealed record Resolution(PackageCatalog Catalog, OperationPlan Plan, List<LocalImage> Local, List<PackageMetadata> Downloads);

    /// <summary>Plans <paramref name="operation"/> on the store's images <paramref name="stored"/> and the repositories' <paramref name="available"/> packages.</summary>
    private Resolution Resolve(TransactionOperation operation, Generation current, IReadOnlyList<StoredPackage> stored, IReadOnlyList<PackageMetadata> available)
    {
        var catalog = new PackageCatalog(stored, available.Concat(operation.LocalImages.Select(l => l.Metadata)));
        var plan = operation.Plan(current, catalog, generations);
        var local = operation.LocalImages.Where(l => !catalog.InStore(l.Metadata.FullName)).ToList();
        var downloads = (plan.Next?.Packages ?? [])
            .Where(p => (!catalog.InStore(p) || plan.Refetch.Contains(p)) && !local.Any(l => l.Metadata.FullName == p))
            .Select(p => plan.Refetch.Contains(p) ? Offered(p, available) : catalog.Find(p)!)
            .ToList();
        return new Resolution(catalog, plan, local, downloads);
    }

    /// <summary>
    /// Starts fetching what <paramref name="operation"/> would download on the repositories' last verified index, or
    /// returns null (no verified index yet, nothing to fetch, or a plan that fails there: the fresh index decides).
    /// </summary>
    private EarlyDownload? StartEarlyDownload(TransactionOperation operation, Generation current, IReadOnlyList<StoredPackage> stored, CancellationToken cancellationToken)
    {
        if (repository?.LastVerified() is not { } cached)
        {
            return null;
        }

        Resolution planned;
        try
        {
            planned = Resolve(operation, current, stored, [.. cached.Packages.Select(e => e.Metadata)]);
        }
        catch (TransactionException)
        {
            return null;
        }

        return planned.Downloads.Count == 0 ? null : EarlyDownload.Start(repository, store.Directory, planned.Downloads, cancellationToken);
    }

    /// <summary>
    /// Removes the images an abandoned early download added to the store unless the fresh index offers exactly that image
    /// (same full name, size and sha256): a plan on the store must not find an image only the old index named (a
    /// withdrawn or republished one) as present. Images that were in the store before (a reinstall's) stay: the current
    /// generation may name them, and the fresh plan fetches them again anyway.
    /// </summary>
    private void ForgetStale(IReadOnlyList<PackageMetadata> fetched, IReadOnlyList<StoredPackage> before, IReadOnlyList<PackageMetadata> available)
    {
        var present = before.Select(p => p.FullName).ToHashSet(StringComparer.Ordinal);
        var offered = available.GroupBy(a => a.FullName, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
        foreach (var image in fetched.Where(f => !present.Contains(f.FullName)))
        {
            bool same = offered.TryGetValue(image.FullName, out var fresh) && fresh.Size == image.Size
                && string.Equals(fresh.Sha256, image.Sha256, StringComparison.OrdinalIgnoreCase);
            if (!same)
            {
                store.Delete(image.FullName);
            }
        }
    }

    private async Task<TransactionResult> RunResolvedAsync(
        TransactionOperation operation, TransactionMode mode, IProgress<ProgressInfo>? progress, CancellationToken cancellationToken, TransactionOrigin origin,
        long started, Generation current, Resolution resolution, EarlyDownload? early)
    {
        await using var owned = early;
        var (catalog, plan, local, downloads) = resolution;
        var target = plan.Next ?? (plan.MakeCurrent is int n ? generations.Get(n) : null);
        bool changed = target is not null || plan.DeleteImages.Count > 0 || plan.DeleteGenerations.Count > 0;
        int number = plan.Next is not null ? generations.NextNumber : target?.Number ?? current.Number;
        var outcome = new TransactionResult
        {
            Description = operation.Description,
            DryRun = mode == TransactionMode.DryRun,
            Changed = changed,
            PreviousGeneration = current.Number,
            Generation = number,
            Added = target is null ? [] : [.. target.Packages.Except(current.Packages)],
            Removed = target is null ? [] : [.. current.Packages.Except(target.Packages)],
            Downloaded = [.. downloads.Select(d => d.FullName)],
            DownloadBytes = downloads.Sum(d => d.Size),
            Deleted = plan.DeleteImages,
        };
        if (mode == TransactionMode.DryRun || !changed)
        {
            if (mode == TransactionMode.DownloadOnly && operation.Preparable)
            {
                // Nothing to prepare: an update prepared earlier is moot (or stale), and apply should say "nothing".
                generations.Prepared.Clear();
            }

            return outcome;
        }

        // The plan and the download size, before the first byte moves: the user sees what is coming and how big it is.
        progress?.Report(new ProgressInfo("resolve", null, 0, 0, 0, outcome.DownloadBytes)
        {
            Plan = new TransactionPlan
            {
                Added = outcome.Added,
                Removed = outcome.Removed,
                DownloadCount = outcome.Downloaded.Count,
                DownloadBytes = outcome.DownloadBytes,
            },
        });

        if (mode == TransactionMode.DownloadOnly)
        {
            return await DownloadOnlyAsync(operation, plan, current, catalog, local, downloads, early, outcome, origin, progress, cancellationToken);
        }

        string transaction = Guid.NewGuid().ToString("N")[..12];
        var resolved = Stopwatch.GetElapsedTime(started);
        var downloadsStarted = early is not null ? Stopwatch.GetElapsedTime(started, early.StartedAt) : resolved;
        TimeSpan fetched, committed;
        Task prepared = Task.CompletedTask, staged = Task.CompletedTask, journaled = Task.CompletedTask;
        generations.BeginTransaction(transaction, operation.Description, current.Number, origin);
        // The next generation's file is written (and fsynced) while its images download, not after the last one.
        var next = plan.Next is null ? null : plan.Next with { Number = number };
        var written = next is null ? Task.CompletedTask : Task.Run(() => generations.Prepare(next), CancellationToken.None);
        try
        {
            prepared = await FetchAsync(local, downloads, early, progress, prepareForPublish: true, cancellationToken);
            await VerifyPresentAsync(plan.Present, cancellationToken);
            fetched = Stopwatch.GetElapsedTime(started);

            // The point of no return: from here on the commit completes even if the caller goes away.
            cancellationToken.ThrowIfCancellationRequested();
            progress?.Report(new ProgressInfo("commit", null, 0, 0, outcome.DownloadBytes, outcome.DownloadBytes));
            staged = StageAsync(plan, target, number, prepared);
            int made = next is not null ? number : plan.MakeCurrent ?? current.Number;
            if (next is not null)
            {
                await written;
                generations.NamePrepared(number);
            }

            generations.SwitchCurrent(made);
            // The rename above is the commit; the journal's line about it (an fsync of its own) is written beside the
            // publish rather than before it, and awaited before the caller hears the outcome.
            journaled = Task.Run(() => generations.JournalCommit(transaction, made), CancellationToken.None);
            committed = Stopwatch.GetElapsedTime(started);
        }
        catch (Exception e)
        {
            await DiscardAsync(written, next);
            generations.AbortTransaction(transaction, e.Message);
            if (e is TransactionException)
            {
                throw;
            }

            throw Translate(e);
        }

        if (plan.AppliesPrepared)
        {
            generations.Prepared.Clear();
        }

        DeleteUnused(plan);
        await staged;
        publisher.Publish(generations.Current!);
        await JournaledAsync(journaled, transaction);
        var published = Stopwatch.GetElapsedTime(started);

        // Where an install's time goes, for bench/install-bench.sh and for anyone asking why an install was slow.
        logger.LogInformation(
            "{Description}: generation {Previous} -> {Generation} (resolve {Resolve:0.000} s; {Count} downloaded, {Bytes} bytes, from {Start:0.000} s ({Early} beside the index's check) in {Fetch:0.000} s; commit {Commit:0.000} s; publish {Publish:0.000} s; total {Total:0.000} s)",
            operation.Description,
            current.Number,
            number,
            resolved.TotalSeconds,
            downloads.Count,
            outcome.DownloadBytes,
            downloadsStarted.TotalSeconds,
            early?.Downloads.Count ?? 0,
            (fetched - downloadsStarted).TotalSeconds,
            (committed - fetched).TotalSeconds,
            (published - committed).TotalSeconds,
            published.TotalSeconds);
        return outcome;
    }

    /// <summary>
    /// Waits for the journal's commit line. Its failure (a full disk) does not undo the commit, which is durable and
    /// published: it is logged, and the next start's recovery writes the missing line.
    /// </summary>
    private async Task JournaledAsync(Task journaled, string transaction)
    {
        try
        {
            await journaled;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            logger.LogError("transaction {Transaction} committed, but its journal line was not written ({Error}); the next start adds it", transaction, e.Message);
        }
    }

    /// <summary>Removes the next generation's prepared file of a transaction that failed before its commit.</summary>
    private async Task DiscardAsync(Task written, Generation? next)
    {
        if (next is null)
        {
            return;
        }

        try
        {
            await written;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Not written, or only in part: the file is removed below all the same.
        }

        try
        {
            generations.DiscardPrepared(next.Number);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Recovery removes temporary files at the next start.
            logger.LogDebug("could not remove the prepared generation {Number}: {Error}", next.Number, e.Message);
        }
    }

    /// <summary>
    /// Has the publisher build what /ro will show for <paramref name="target"/> on another thread while the commit's
    /// fsyncs run, after the manifests the download prepared (<paramref name="prepared"/>). Nothing to stage when the
    /// plan deletes images after the commit (the store changes before the publish). Never fails: a publish that finds
    /// no usable staged namespace builds its own.
    /// </summary>
    private Task StageAsync(OperationPlan plan, Generation? target, int number, Task prepared)
    {
        if (target is null || plan.DeleteImages.Count > 0)
        {
            return prepared;
        }

        var generation = target with { Number = number };
        return Task.Run(async () =>
        {
            await prepared;
            try
            {
                publisher.Stage(generation);
            }
            catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException or InvalidOperationException)
            {
                logger.LogDebug("staging generation {Number} for /ro failed ({Error}); the publish builds it", number, e.Message);
            }
        });
    }

    /// <summary>
    /// Downloads and verifies what the plan needs, commits no generation. Journaled (begin, then <c>downloaded</c> or
    /// abort) so that <c>history</c> shows scheduled and scripted downloads and their failures; a crash leaves at most
    /// verified images and partial downloads, which the next run resumes. A preparable operation (update) records
    /// its plan as the prepared update only after the last image was verified.
    /// </summary>
    private async Task<TransactionResult> DownloadOnlyAsync(
        TransactionOperation operation, OperationPlan plan, Generation current, PackageCatalog catalog, IReadOnlyList<LocalImage> local,
        IReadOnlyList<PackageMetadata> downloads, EarlyDownload? early, TransactionResult outcome, TransactionOrigin origin, IProgress<ProgressInfo>? progress,
        CancellationToken cancellationToken)
    {
        string transaction = Guid.NewGuid().ToString("N")[..12];
        generations.BeginTransaction(transaction, operation.Description + " --download-only", current.Number, origin);
        try
        {
            await FetchAsync(local, downloads, early, progress, prepareForPublish: false, cancellationToken);
            if (operation.Preparable && plan.Next is not null)
            {
                generations.Prepared.Save(Prepare(current, plan.Next, catalog));
            }

            generations.EndDownloadOnly(transaction, current.Number);
        }
        catch (Exception e)
        {
            generations.AbortTransaction(transaction, e.Message);
            if (e is TransactionException)
            {
                throw;
            }

            throw Translate(e);
        }

        logger.LogInformation("{Description} --download-only: {Count} images, {Bytes} bytes downloaded; generation {Generation} stays current",
            operation.Description, downloads.Count, outcome.DownloadBytes, current.Number);
        return outcome with { Changed = local.Count > 0 || downloads.Count > 0 || (operation.Preparable && plan.Next is not null), Generation = current.Number, DownloadOnly = true };
    }

    /// <summary>The record of a verified download: the plan, what it was planned on, the new images' digests.</summary>
    private static PreparedUpdate Prepare(Generation current, Generation next, PackageCatalog catalog) => new()
    {
        Base = current.Number,
        Prepared = DateTimeOffset.UtcNow,
        Next = next with { Number = 0 },
        Images = [.. next.Packages.Except(current.Packages).Select(p => catalog.Find(p)!).Select(m => new PreparedImage(m.FullName, m.Size, m.Sha256))],
    };

    /// <summary>Re-hashes images the plan requires to be in the store already (a prepared update's), off the caller's thread.</summary>
    private async Task VerifyPresentAsync(IReadOnlyList<PreparedImage> images, CancellationToken cancellationToken)
    {
        foreach (var image in images)
        {
            string path = store.ImagePath(image.FullName);
            if (!File.Exists(path))
            {
                throw new TransactionException(TransactionError.NotFound,
                    $"the prepared update is incomplete: {image.FullName} is not in the store; run 'districtl update --download-only' again");
            }

            string actual = await Task.Run(() => Sha256Of(path, cancellationToken), cancellationToken);
            if (image.Sha256.Length == 0 || !string.Equals(actual, image.Sha256, StringComparison.OrdinalIgnoreCase))
            {
                // Left in the store, the next download-only run would take it as present and never fetch it again. The
                // current generation cannot name it (a prepared image is one the current generation lacks).
                store.Delete(image.FullName);
                throw new TransactionException(TransactionError.Download,
                    $"the prepared image {image.FullName} changed since it was verified (sha256 {actual}, expected {image.Sha256}) and was removed from the store; run 'districtl update --download-only' again");
            }
        }
    }

    private static string Sha256Of(string path, CancellationToken cancellationToken)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        byte[] buffer = ArrayPool<byte>.Shared.Rent(1 << 20);
        try
        {
            int read;
            while ((read = stream.Read(buffer, 0, buffer.Length)) > 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
                hash.AppendData(buffer, 0, read);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    /// <summary>
    /// A re-fetched image is verified against what a repository offers now (the store's copy of the metadata may be
    /// the damaged part); one that no repository offers any more cannot be re-fetched.
    /// </summary>
    private static PackageMetadata Offered(string fullName, IReadOnlyList<PackageMetadata> available) =>
        available.FirstOrDefault(a => a.FullName == fullName)
        ?? throw new TransactionException(TransactionError.NotFound, $"{fullName} is not offered by any configured repository, so its image cannot be fetched again");

    /// <summary>
    /// Imports the local images and downloads the rest: by waiting for <paramref name="early"/> when it fetches exactly
    /// <paramref name="downloads"/> (the caller checked), else by downloading them now. With
    /// <paramref name="prepareForPublish"/>, each downloaded image is handed to <see cref="IGenerationPublisher.Prepare"/>
    /// as it arrives; the task returned completes when the last one was prepared (await it before publishing).
    /// </summary>
    private async Task<Task> FetchAsync(
        IReadOnlyList<LocalImage> local, IReadOnlyList<PackageMetadata> downloads, EarlyDownload? early, IProgress<ProgressInfo>? progress, bool prepareForPublish,
        CancellationToken cancellationToken)
    {
        foreach (var image in local)
        {
            store.Import(image.Path, image.Metadata);
        }

        if (downloads.Count == 0)
        {
            return Task.CompletedTask;
        }

        if (repository is null)
        {
            throw new TransactionException(TransactionError.NotFound, $"{downloads[0].FullName} is not in the store and no repository is configured");
        }

        IProgress<DownloadProgress>? relay = progress is null ? null : new Progress<DownloadProgress>(p =>
            progress.Report(new ProgressInfo("download", p.FullName, p.PackageBytesDone, p.PackageBytesTotal, p.TotalBytesDone, p.TotalBytes)));
        // Only where the link, not the CPU, bounds the download: on loopback or a LAN the downloads keep the CPUs busy
        // and reading manifests beside them slowed them by more than it saved (measured), so the publish reads them.
        bool prefetching = prepareForPublish && repository.LongestRoundTrip >= PrefetchRoundTrip;
        var prefetch = prefetching ? new ManifestPrefetch(publisher, relay) : null;
        try
        {
            if (early is not null)
            {
                early.Confirm(prefetch ?? relay);
                await early.Completion;
            }
            else
            {
                // Writes each image's .meta.json beside it (store.MetadataPath), in the parallel download workers.
                await repository.DownloadAsync(downloads, store.Directory, prefetch ?? relay, cancellationToken);
            }
        }
        catch
        {
            // Ends the prefetch worker; the failed transaction publishes nothing, so nobody awaits it.
            _ = prefetch?.CompleteAsync();
            throw;
        }

        return prefetch?.CompleteAsync() ?? Task.CompletedTask;
    }

    private void DeleteUnused(OperationPlan plan)
    {
        foreach (int number in plan.DeleteGenerations)
        {
            generations.Delete(number);
        }

        foreach (string fullName in plan.DeleteImages)
        {
            store.Delete(fullName);
        }
    }

    private static TransactionException Translate(Exception e) => e switch
    {
        OperationCanceledException => new TransactionException(TransactionError.InvalidRequest, "cancelled; nothing changed", e),
        RepositoryException => new TransactionException(TransactionError.Download, e.Message, e),
        IOException io when io.HResult == 28 || io.Message.Contains("No space", StringComparison.Ordinal) =>
            new TransactionException(TransactionError.Storage, "the disk is full; nothing changed", e),
        IOException or UnauthorizedAccessException => new TransactionException(TransactionError.Storage, e.Message, e),
        _ => new TransactionException(TransactionError.Storage, e.Message, e),
    };
}
