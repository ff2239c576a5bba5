using System.Diagnostics;
using Distri.Core.SquashFs;
using Distrid.FileSystem.Exchange;
using Distrid.FileSystem.Images;
using Distrid.FileSystem.Manifests;
using Distrid.Store;
using Microsoft.Extensions.Logging;

namespace Distrid.FileSystem;

/// <summary>
/// Builds what /ro shows from the store's images and the set of packages the current generation names: a
/// directory per image, and the exchange trees merged from the active packages' manifests (cached on disk, so an
/// image is read only the first time the daemon sees it).
/// </summary>
internal sealed partial class RoNamespaceBuilder(ImageTable images, ExchangeNodeTable exchangeNodes, ManifestCache manifests, ILogger<RoNamespaceBuilder> logger)
{
    public RoNamespace Build(IReadOnlyList<StoredPackage> store, IReadOnlySet<string> current, IReadOnlyDictionary<string, string> pins)
    {
        long started = Stopwatch.GetTimestamp();
        var handles = store.Select(p => images.GetOrAdd(p.FullName, p.ImagePath, p.Identity, p.Metadata?.Sha256)).ToList();
        var broken = new List<(string FullName, string Error)>();
        var contributions = new (Distri.Core.Packages.PackageName, PackageManifest)?[store.Count];
        Parallel.For(0, store.Count, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, i =>
        {
            var package = store[i];
            if (!current.Contains(package.FullName))
            {
                return;
            }

            var manifest = LoadManifest(package, handles[i], out string? error);
            if (manifest is null)
            {
                lock (broken)
                {
                    broken.Add((package.FullName, error!));
                }

                return;
            }

            contributions[i] = (package.Name, manifest);
        });

        var manifestTime = Stopwatch.GetElapsedTime(started);

        // The cache file is read once per publish and not kept: compact it while it is loaded, then let it go.
        manifests.Compact(store.Select(p => p.Identity).ToHashSet());
        manifests.Release();

        // Images not in the current generation may be broken too: say so when they were opened and failed.
        broken.AddRange(handles.Where(h => h.Broken is not null && !broken.Any(b => b.FullName == h.FullName)).Select(h => (h.FullName, h.Broken!)));
        var tree = ExchangeTreeBuilder.Build(contributions.Where(c => c is not null).Select(c => c!.Value), pins);
        exchangeNodes.Register(tree);
        foreach (var conflict in tree.Conflicts)
        {
            logger.LogWarning("conflict: {Path} from {Winner} wins over {Losers}", conflict.Path, conflict.Winner, string.Join(", ", conflict.Losers));
        }

        broken.Sort((a, b) => string.CompareOrdinal(a.FullName, b.FullName));
        var result = new RoNamespace(handles, tree, broken, store.Sum(p => p.Size));
        logger.LogDebug("namespace of {Images} images: manifests {Manifests:F0} ms, merge {Merge:F0} ms",
            store.Count, manifestTime.TotalMilliseconds, (Stopwatch.GetElapsedTime(started) - manifestTime).TotalMilliseconds);
        return result;
    }

    /// <summary>
    /// Puts the manifest of <paramref name="package"/>, an image new in the store, into the manifest cache ahead of the
    /// <see cref="Build"/> that will want it (a download prepares each image as it arrives).
    /// </summary>
    public void Prepare(StoredPackage package) => LoadManifest(package, images.GetOrAdd(package.FullName, package.ImagePath, package.Identity, package.Metadata?.Sha256), out _);

    private PackageManifest? LoadManifest(StoredPackage package, ImageHandle handle, out string? error)
    {
        error = null;
        if (manifests.TryLoad(package.FullName, package.Identity) is { } cached)
        {
            return cached;
        }

        var image = images.Acquire(handle);
        if (image is null)
        {
            error = handle.Broken ?? "cannot open image";
            logger.LogError("image {Package} is unreadable: {Error}", package.FullName, error);
            return null;
        }

        try
        {
            var manifest = ManifestBuilder.Build(image);
            manifests.Save(package.FullName, package.Identity, manifest);
            return manifest;
        }
        catch (Exception e) when (e is SquashFsException or InvalidDataException or IOException)
        {
            error = e.Message;
            logger.LogError("image {Package} is damaged: {Error}", package.FullName, e.Message);
            return null;
        }
        finally
        {
            handle.Release();
        }
    }
}
