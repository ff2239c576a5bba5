using System.Diagnostics;
using Distrid.FileSystem;
using Distrid.Generations;
using Distrid.Store;
using Distrid.Systemd;
using Microsoft.Extensions.Logging;

namespace Distrid.Hosting;

/// <summary>
/// The namespace of the first publish (store scan, manifests, exchange merge: most of a start's CPU time with
/// thousands of images), built on another core from the moment the options are known, while the host is built and
/// starts the services before the mount. <see cref="MountService"/> takes it when it mounts.
/// </summary>
internal sealed class FirstNamespace
{
    private Task<RoNamespace>? _build;

    private FirstNamespace(Generation? generation, long allocatedBefore, Task<RoNamespace>? build)
    {
        Generation = generation;
        AllocatedBefore = allocatedBefore;
        _build = build;
    }

    /// <summary>Nothing built ahead: the mount builds its namespace itself.</summary>
    public static FirstNamespace None { get; } = new(null, 0, null);

    public Generation? Generation { get; }

    /// <summary><see cref="GC.GetTotalAllocatedBytes"/> before the build started (what the start-up collection measures).</summary>
    public long AllocatedBefore { get; }

    /// <summary>
    /// Starts building the namespace of <paramref name="generation"/>. Not when systemd hands over a FUSE connection:
    /// its node id journal must be restored before any id is given out.
    /// </summary>
    public static FirstNamespace Start(Generation? generation, ListenFds listenFds, PackageStore store, RoNamespaceBuilder namespaces, ILogger logger)
    {
        foreach (var (_, name) in listenFds.Remaining)
        {
            if (name == FdStoreNames.Fuse)
            {
                return None;
            }
        }

        if (generation is null)
        {
            return None;
        }

        long allocatedBefore = GC.GetTotalAllocatedBytes();
        return new FirstNamespace(generation, allocatedBefore, Task.Run(() => Build(generation, store, namespaces, logger)));
    }

    /// <summary>What /ro shows for <paramref name="generation"/>: every store image, and the exchange directories of the
    /// generation's packages; <paramref name="staged"/> may answer with a namespace already built for the scanned images.</summary>
    public static RoNamespace Build(
        Generation generation,
        PackageStore store,
        RoNamespaceBuilder namespaces,
        ILogger logger,
        Func<IReadOnlyList<StoredPackage>, RoNamespace?>? staged = null)
    {
        long started = Stopwatch.GetTimestamp();
        var current = generation.Packages.ToHashSet(StringComparer.Ordinal);
        var scanned = store.ScanImages();
        var scanTime = Stopwatch.GetElapsedTime(started);
        var next = staged?.Invoke(scanned) ?? namespaces.Build(scanned, current, generation.Pins);
        logger.LogDebug("built the namespace of generation {Number}: {Packages} packages, scan {Scan:F0} ms, namespace {Build:F0} ms",
            generation.Number, next.PackageCount, scanTime.TotalMilliseconds, (Stopwatch.GetElapsedTime(started) - scanTime).TotalMilliseconds);
        return next;
    }

    /// <summary>
    /// The namespace built ahead, once, when it is of <paramref name="generation"/> (recovery does not change the
    /// current generation, so it is); null otherwise.
    /// </summary>
    public RoNamespace? Take(Generation generation)
    {
        var build = Interlocked.Exchange(ref _build, null);
        if (build is null || Generation is null)
        {
            return null;
        }

        var built = build.GetAwaiter().GetResult();
        return Generation.Number == generation.Number && Generation.Packages.SequenceEqual(generation.Packages, StringComparer.Ordinal) ? built : null;
    }
}
