using System.Reflection;
using Distri.Core.Packages;
using Distrid.Api.Admin;
using Distrid.FileSystem;
using Distrid.FileSystem.Exchange;
using Distrid.Generations;
using Distrid.Protocol;
using Distrid.Store;
using Distrid.Transactions;

namespace Distrid.Api;

/// <summary>
/// The read-only half of the API, shared by both front ends: status, packages, search, info and generations as the
/// contract's DTOs. Queries are open to every caller and never authorized. Failures throw
/// <see cref="TransactionException"/> (e.g. the mirror's index could not be fetched).
/// </summary>
internal sealed class DistridQueries(
    PackageStore store, GenerationStore generations, TransactionService transactions, IMountStatus mount, RoFileSystem fileSystem, AdminQueries admin, Views.RunViews views)
{
    /// <summary>The views of <c>districtl run</c>, for every front end.</summary>
    public Views.RunViews Views => views;

    /// <summary>The admin's questions (files, owns, why, history, diff, verify), for every front end.</summary>
    public AdminQueries Admin => admin;

    private static readonly string DaemonVersion =
        typeof(DistridQueries).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0";

    public StatusResult Status()
    {
        var current = fileSystem.Current;
        var statistics = mount.Statistics;
        var running = transactions.Current;
        return new StatusResult
        {
            Version = DaemonVersion,
            Mountpoint = mount.Mountpoint,
            Mounted = mount.IsMounted,
            Store = store.Directory,
            PackageCount = current.PackageCount,
            StoreBytes = current.StoreBytes,
            Generation = generations.Current?.Number ?? 0,
            Transaction = running?.Description,
            TransactionStartedBy = running?.StartedBy,
            TransactionDetached = running?.Detached ?? false,
            Conflicts = [.. current.Exchange.Conflicts.Select(c => new ConflictInfo
            {
                Path = c.Path,
                Winner = c.Winner,
                Losers = c.Losers,
                Reason = c.Reason == ConflictReason.NameOrder ? "name-order" : c.Reason.ToString(),
            })],
            BrokenImages = [.. current.Broken.Select(b => new BrokenImageInfo { FullName = b.FullName, Error = b.Error })],
            Fuse = statistics is null ? null : new FuseStatistics { Requests = statistics.TotalRequests, ByOpcode = statistics.Snapshot(), RingRequests = statistics.RingRequests },
        };
    }

    public async Task<IReadOnlyList<PackageInfo>> ListAsync(bool available, CancellationToken cancellationToken)
    {
        var catalog = await CatalogAsync(available, cancellationToken);
        var installed = InstalledSet();
        var explicitly = ExplicitSet();
        var packages = available ? catalog.All : catalog.All.Where(p => installed.Contains(p.FullName));
        return [.. packages.OrderBy(p => p.FullName, StringComparer.Ordinal).Select(p => ToInfo(p, catalog, installed, explicitly))];
    }

    public async Task<IReadOnlyList<PackageInfo>> SearchAsync(string term, CancellationToken cancellationToken)
    {
        var catalog = await CatalogAsync(true, cancellationToken);
        var installed = InstalledSet();
        var explicitly = ExplicitSet();
        return [.. catalog.All
            .Where(p => p.FullName.Contains(term, StringComparison.OrdinalIgnoreCase) || p.Summary.Contains(term, StringComparison.OrdinalIgnoreCase))
            .OrderBy(p => p.FullName, StringComparer.Ordinal)
            .Select(p => ToInfo(p, catalog, installed, explicitly))];
    }

    public async Task<PackageInfo> InfoAsync(string package, CancellationToken cancellationToken)
    {
        var catalog = await CatalogAsync(true, cancellationToken);
        var name = catalog.Resolve(package);
        return ToInfo(catalog.Find(name.FullName)!, catalog, InstalledSet(), ExplicitSet());
    }

    public IReadOnlyList<GenerationInfo> Generations()
    {
        int current = generations.Current?.Number ?? 0;
        return [.. generations.List().Select(g => new GenerationInfo
        {
            Number = g.Number,
            Current = g.Number == current,
            Created = g.Created,
            Description = g.Description,
            Packages = g.Packages,
            Pins = g.Pins,
        })];
    }

    private async Task<PackageCatalog> CatalogAsync(bool withAvailable, CancellationToken cancellationToken)
    {
        // The last verified index, never a fetch in progress: a slow mirror must not hold up a query.
        var available = withAvailable ? await transactions.AvailableForQueryAsync(cancellationToken) : [];
        return new PackageCatalog(store.Scan(), available);
    }

    private HashSet<string> InstalledSet() => generations.Current?.Packages.ToHashSet(StringComparer.Ordinal) ?? [];

    private IReadOnlySet<string> ExplicitSet() => generations.Current is { } current ? ExplicitPackages.Of(current) : new HashSet<string>();

    private static PackageInfo ToInfo(PackageMetadata p, PackageCatalog catalog, HashSet<string> installed, IReadOnlySet<string> explicitly)
    {
        var name = PackageName.Parse(p.FullName);
        return new PackageInfo
        {
            FullName = p.FullName,
            Name = name.Name,
            Arch = name.Arch,
            Version = name.Version,
            Revision = name.Revision,
            Summary = p.Summary,
            Size = p.Size,
            Dependencies = p.Dependencies,
            Installed = installed.Contains(p.FullName),
            InStore = catalog.InStore(p.FullName),
            Explicit = explicitly.Contains(p.FullName),
        };
    }
}
