using Distri.Core.Packages;
using Distri.Core.Text;
using Distrid.Generations;

namespace Distrid.Transactions.Operations;

/// <summary>
/// Removes requested packages, and with them every dependency that no remaining package needs. Refuses to remove
/// what a remaining package depends on, naming it.
/// </summary>
internal sealed class RemoveOperation(IReadOnlyList<string> specs) : TransactionOperation
{
    public override string Description => "remove " + string.Join(' ', specs);

    public override OperationPlan Plan(Generation current, PackageCatalog catalog, GenerationStore generations)
    {
        var removed = new HashSet<string>(StringComparer.Ordinal);
        foreach (string spec in specs)
        {
            var matches = current.Packages.Where(p => Matches(PackageName.Parse(p), spec)).ToList();
            if (matches.Count == 0)
            {
                throw new TransactionException(TransactionError.NotInstalled, $"'{EchoText.Cap(spec)}' is not installed");
            }

            removed.UnionWith(matches);
        }

        var requested = current.Requested.Where(r => !removed.Contains(r)).ToList();
        var next = Next(current, catalog, requested, current.Pins.Where(p => !removed.Contains(p.Value)).ToDictionary());
        var stillNeeded = next.Packages.Where(removed.Contains).ToList();
        if (stillNeeded.Count > 0)
        {
            string user = requested.First(r => catalog.Closure([r]).Contains(stillNeeded[0]));
            throw new TransactionException(TransactionError.Needed, $"{stillNeeded[0]} is needed by {user}; remove that too");
        }

        return new OperationPlan { Next = next };
    }

    private static bool Matches(PackageName package, string spec)
    {
        if (spec == package.FullName)
        {
            return true;
        }

        var (name, arch) = PackageCatalog.SplitArch(spec);
        return package.Name == name && (arch is null || package.Arch == arch);
    }
}
