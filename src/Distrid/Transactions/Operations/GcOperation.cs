using Distrid.Generations;

namespace Distrid.Transactions.Operations;

/// <summary>
/// Deletes generations older than the newest <paramref name="keep"/> (the current one always stays), then every
/// store image that no kept generation names. Programs reading a deleted image under /ro keep reading it: the
/// daemon holds it open until they are done. The images of a prepared update that is still applicable stay too, so
/// that a gc between <c>update --download-only</c> and <c>update --apply-downloaded</c> does not undo the download.
/// </summary>
internal sealed class GcOperation(int keep) : TransactionOperation
{
    public override string Description => "gc";

    public override OperationPlan Plan(Generation current, PackageCatalog catalog, GenerationStore generations)
    {
        var all = generations.List();
        var kept = all.OrderByDescending(g => g.Number).Take(keep).Append(current).ToList();
        var deleteGenerations = all.Where(g => !kept.Any(k => k.Number == g.Number)).Select(g => g.Number).ToList();
        var named = kept.SelectMany(g => g.Packages).Concat(PreparedPackages(current, generations)).ToHashSet(StringComparer.Ordinal);
        var deleteImages = catalog.All.Where(p => catalog.InStore(p.FullName) && !named.Contains(p.FullName)).Select(p => p.FullName).Order(StringComparer.Ordinal).ToList();
        return deleteImages.Count == 0 && deleteGenerations.Count == 0
            ? OperationPlan.Nothing
            : new OperationPlan { DeleteImages = deleteImages, DeleteGenerations = deleteGenerations };
    }

    /// <summary>An unreadable or stale prepared update protects nothing: apply would refuse it anyway.</summary>
    private static IEnumerable<string> PreparedPackages(Generation current, GenerationStore generations)
    {
        try
        {
            return generations.Prepared.Load() is { } prepared && prepared.Base == current.Number ? prepared.Next.Packages : [];
        }
        catch (InvalidDataException)
        {
            return [];
        }
    }
}
