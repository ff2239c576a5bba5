using Distrid.Generations;

namespace Distrid.Transactions.Operations;

/// <summary>Adds packages (names, full names or local image files) with their dependency closure.</summary>
internal sealed class InstallOperation(IReadOnlyList<string> specs, IReadOnlyList<LocalImage> localImages) : TransactionOperation
{
    public override string Description => "install " + string.Join(' ', specs);

    public override bool NeedsIndex => specs.Count > localImages.Count;

    public override IReadOnlyList<LocalImage> LocalImages => localImages;

    public override OperationPlan Plan(Generation current, PackageCatalog catalog, GenerationStore generations)
    {
        IEnumerable<string> requested = current.Requested;
        foreach (string spec in specs)
        {
            var local = localImages.FirstOrDefault(l => l.Path == spec);
            var package = local is not null ? local.Metadata.Name : catalog.Resolve(spec);
            requested = WithReplaced(requested, package);
        }

        return new OperationPlan { Next = Next(current, catalog, requested, current.Pins) };
    }
}
