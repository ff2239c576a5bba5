using Distri.Core.Text;
using Distrid.Generations;
using Distrid.Protocol;
using Distrid.Transactions;

namespace Distrid.Api.Admin;

/// <summary><c>why</c>: the dependency chains that hold a package in the current generation.</summary>
internal sealed partial class AdminQueries
{
    /// <summary>
    /// For every explicitly installed package whose closure holds <paramref name="package"/>, one shortest chain of
    /// dependencies from it to the package (breadth first over the installed packages' recorded dependencies).
    /// </summary>
    public async Task<WhyResult> WhyAsync(string package, CancellationToken cancellationToken)
    {
        var current = Current ?? throw new TransactionException(TransactionError.NotInstalled, "nothing is installed yet");
        var catalog = await CatalogAsync(false, cancellationToken);
        var name = ResolveInstalledFirst(package, catalog, current.Packages);
        string target = name.FullName;
        if (!current.Packages.Contains(target))
        {
            throw new TransactionException(TransactionError.NotInstalled, $"'{EchoText.Cap(package)}' is not installed, so nothing needs it");
        }

        var installed = current.Packages.ToHashSet(StringComparer.Ordinal);
        var explicitly = ExplicitPackages.Of(current);
        var chains = new List<IReadOnlyList<string>>();
        foreach (string root in explicitly.Order(StringComparer.Ordinal))
        {
            if (ShortestChain(root, target, catalog, installed) is { } chain)
            {
                chains.Add(chain);
            }
        }

        return new WhyResult { FullName = target, Explicit = explicitly.Contains(target), Chains = chains };
    }

    private static List<string>? ShortestChain(string root, string target, PackageCatalog catalog, HashSet<string> installed)
    {
        var cameFrom = new Dictionary<string, string?>(StringComparer.Ordinal) { [root] = null };
        var queue = new Queue<string>([root]);
        while (queue.TryDequeue(out string? at))
        {
            if (at == target)
            {
                var chain = new List<string>();
                for (string? step = at; step is not null; step = cameFrom[step])
                {
                    chain.Add(step);
                }

                chain.Reverse();
                return chain;
            }

            foreach (string dependency in catalog.Find(at)?.Dependencies ?? [])
            {
                if (installed.Contains(dependency) && cameFrom.TryAdd(dependency, at))
                {
                    queue.Enqueue(dependency);
                }
            }
        }

        return null;
    }
}
