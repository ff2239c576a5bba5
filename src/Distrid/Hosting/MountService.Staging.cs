using Distri.Core.Packages;
using Distrid.FileSystem;
using Distrid.Generations;
using Distrid.Store;

namespace Distrid.Hosting;

/// <summary>
/// Work a transaction hands the mount ahead of its publish, so that less of it waits after the commit: the manifest
/// of each image as its download completes (<see cref="Prepare"/>), and the whole namespace of the generation about
/// to be committed while the commit's fsyncs run (<see cref="Stage"/>). Neither changes what /ro shows; only
/// <see cref="Publish"/> does, and it uses a staged namespace only when it was built for the same packages, pins
/// and store images it sees then.
/// </summary>
internal sealed partial class MountService
{
    private StagedNamespace? _staged;

    /// <summary>Reads the manifest of an image a download just added, so that the publish after the commit finds it cached.</summary>
    public void Prepare(string fullName)
    {
        string path = store.ImagePath(fullName);
        if (PackageName.TryParse(fullName, out var name, out _) && PackageStore.TryIdentify(path, out var identity))
        {
            namespaces.Prepare(new StoredPackage(name, path, identity.Size, identity, null));
        }
    }

    /// <summary>Builds the namespace <paramref name="generation"/> will show, for the <see cref="Publish"/> that follows its commit.</summary>
    public void Stage(Generation generation)
    {
        lock (_refreshLock)
        {
            var scanned = store.ScanImages();
            var next = namespaces.Build(scanned, generation.Packages.ToHashSet(StringComparer.Ordinal), generation.Pins);
            _staged = new StagedNamespace(generation, scanned, next);
        }
    }

    /// <summary>The staged namespace if it shows exactly <paramref name="generation"/> over <paramref name="scanned"/>, else null; forgets it either way.</summary>
    private RoNamespace? TakeStaged(Generation generation, IReadOnlyList<StoredPackage> scanned)
    {
        var staged = _staged;
        _staged = null;
        bool same = staged is not null
            && staged.Generation.Packages.SequenceEqual(generation.Packages, StringComparer.Ordinal)
            && staged.Generation.Pins.Count == generation.Pins.Count
            && staged.Generation.Pins.All(p => generation.Pins.TryGetValue(p.Key, out string? v) && v == p.Value)
            && staged.Scanned.Select(p => (p.FullName, p.Identity)).SequenceEqual(scanned.Select(p => (p.FullName, p.Identity)));
        return same ? staged!.Namespace : null;
    }

    private sealed record StagedNamespace(Generation Generation, IReadOnlyList<StoredPackage> Scanned, RoNamespace Namespace);
}
