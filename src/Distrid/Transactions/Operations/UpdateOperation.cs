using Distri.Core.Packages;
using Distrid.Generations;

namespace Distrid.Transactions.Operations;

/// <summary>Moves every requested package to the newest revision of its name; pinned names stay where they are.</summary>
internal sealed class UpdateOperation : TransactionOperation
{
    public override string Description => "update";

    public override bool NeedsIndex => true;

    public override bool Preparable => true;

    public override OperationPlan Plan(Generation current, PackageCatalog catalog, GenerationStore generations)
    {
        var requested = current.Requested.Select(r =>
        {
            var package = PackageName.Parse(r);
            return current.Pins.ContainsKey(package.Name) ? r : catalog.Newest(package).FullName;
        }).ToList();
        var next = Next(current, catalog, requested, current.Pins);
        return next.Packages.SequenceEqual(current.Packages) ? OperationPlan.Nothing : new OperationPlan { Next = next };
    }
}
