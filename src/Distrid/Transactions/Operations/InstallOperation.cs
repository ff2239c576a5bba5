using Distri.Core.Packages;
using Distrid.Generations;

namespace Distrid.Transactions.Operations;

/// <summary>Adds packages (names, full names or local image files) with their dependency closure.</summary>
internal sealed class InstallOperation(IReadOnlyList<string> specs, IReadOnlyList<LocalImage> localImages) : TransactionOperation
{
    /// <summary>
    /// Fetch the named packages' images again (verified against the repository's sha256) even when the store has
    /// them: the repair for a damaged image. A name that is installed means the installed revision, not the newest.
    /// </summary>
    public bool Reinstall { get; init; }

    public override string Description => (Reinstall ? "install --reinstall " : "install ") + string.Join(' ', specs);

    public override bool NeedsIndex => specs.Count > localImages.Count;

    public override IReadOnlyList<LocalImage> LocalImages => localImages;

    public override OperationPlan Plan(Generation current, PackageCatalog catalog, GenerationStore generations)
    {
        IEnumerable<string> requested = current.Requested;
        var refetch = new List<string>();
        foreach (string spec in specs)
        {
            var local = localImages.FirstOrDefault(l => l.Path == spec);
            var package = local is not null ? local.Metadata.Name : Reinstall ? InstalledOrResolved(spec, current, catalog) : catalog.Resolve(spec);
            requested = WithReplaced(requested, package);
            refetch.Add(package.FullName);
        }

        return new OperationPlan { Next = Next(current, catalog, requested, current.Pins), Refetch = Reinstall ? refetch : [] };
    }

    private static PackageName InstalledOrResolved(string spec, Generation current, PackageCatalog catalog)
    {
        var (name, arch) = PackageCatalog.SplitArch(spec);
        var installed = current.Packages.Select(PackageName.Parse)
            .Where(p => p.FullName == spec || (p.Name == name && (arch is null || p.Arch == arch)))
            .MaxBy(p => (p.FullName == spec ? 1 : 0, p.Revision));
        return installed ?? catalog.Resolve(spec);
    }
}
