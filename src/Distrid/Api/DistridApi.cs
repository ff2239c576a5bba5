using System.Reflection;
using Distri.Core.Packages;
using Distrid.FileSystem;
using Distrid.FileSystem.Exchange;
using Distrid.Generations;
using Distrid.Hosting;
using Distrid.Protocol;
using Distrid.Store;
using Distrid.Transactions;
using Distrid.Transactions.Operations;
using StreamJsonRpc;

namespace Distrid.Api;

/// <summary>
/// The API both front ends serve. It only decodes requests into operations, calls the
/// <see cref="TransactionService"/> or reads state, and maps results and errors to the contract's DTOs.
/// </summary>
internal sealed class DistridApi(
    DaemonOptions options, PackageStore store, GenerationStore generations, TransactionService transactions, MountService mount, RoFileSystem fileSystem)
    : IDistridApi
{
    private static readonly string DaemonVersion =
        typeof(DistridApi).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0";

    public Task<StatusResult> StatusAsync(CancellationToken cancellationToken = default)
    {
        var current = fileSystem.Current;
        var statistics = mount.Statistics;
        return Task.FromResult(new StatusResult
        {
            Version = DaemonVersion,
            Mountpoint = options.Mountpoint,
            Mounted = mount.IsMounted,
            Store = options.Store,
            PackageCount = current.PackageCount,
            StoreBytes = current.StoreBytes,
            Generation = generations.Current?.Number ?? 0,
            Transaction = transactions.Running,
            Conflicts = [.. current.Exchange.Conflicts.Select(c => new ConflictInfo
            {
                Path = c.Path,
                Winner = c.Winner,
                Losers = c.Losers,
                Reason = c.Reason == ConflictReason.NameOrder ? "name-order" : c.Reason.ToString(),
            })],
            BrokenImages = [.. current.Broken.Select(b => new BrokenImageInfo { FullName = b.FullName, Error = b.Error })],
            Fuse = statistics is null ? null : new FuseStatistics { Requests = statistics.TotalRequests, ByOpcode = statistics.Snapshot() },
        });
    }

    public async Task<IReadOnlyList<PackageInfo>> ListAsync(bool available = false, CancellationToken cancellationToken = default)
    {
        var catalog = await CatalogAsync(available, cancellationToken);
        var installed = InstalledSet();
        var packages = available ? catalog.All : catalog.All.Where(p => installed.Contains(p.FullName));
        return [.. packages.OrderBy(p => p.FullName, StringComparer.Ordinal).Select(p => ToInfo(p, catalog, installed))];
    }

    public async Task<IReadOnlyList<PackageInfo>> SearchAsync(string term, CancellationToken cancellationToken = default)
    {
        var catalog = await CatalogAsync(true, cancellationToken);
        var installed = InstalledSet();
        return [.. catalog.All
            .Where(p => p.FullName.Contains(term, StringComparison.OrdinalIgnoreCase) || p.Summary.Contains(term, StringComparison.OrdinalIgnoreCase))
            .OrderBy(p => p.FullName, StringComparer.Ordinal)
            .Select(p => ToInfo(p, catalog, installed))];
    }

    public async Task<PackageInfo> InfoAsync(string package, CancellationToken cancellationToken = default)
    {
        var catalog = await CatalogAsync(true, cancellationToken);
        return await Guard(() =>
        {
            var name = catalog.Resolve(package);
            return Task.FromResult(ToInfo(catalog.Find(name.FullName)!, catalog, InstalledSet()));
        });
    }

    public Task<TransactionResult> InstallAsync(IReadOnlyList<string> packages, bool dryRun = false, IProgress<ProgressInfo>? progress = null, CancellationToken cancellationToken = default) =>
        Guard(() =>
        {
            if (packages.Count == 0)
            {
                throw new TransactionException(TransactionError.InvalidRequest, "install needs at least one package");
            }

            var local = packages.Where(LocalImages.IsImagePath).Select(LocalImages.Load).ToList();
            return RunAsync(new InstallOperation(packages, local), dryRun, progress, cancellationToken);
        });

    public Task<TransactionResult> RemoveAsync(IReadOnlyList<string> packages, bool dryRun = false, IProgress<ProgressInfo>? progress = null, CancellationToken cancellationToken = default) =>
        Guard(() => packages.Count == 0
            ? throw new TransactionException(TransactionError.InvalidRequest, "remove needs at least one package")
            : RunAsync(new RemoveOperation(packages), dryRun, progress, cancellationToken));

    public Task<TransactionResult> UpdateAsync(bool dryRun = false, IProgress<ProgressInfo>? progress = null, CancellationToken cancellationToken = default) =>
        Guard(() => RunAsync(new UpdateOperation(), dryRun, progress, cancellationToken));

    public Task<TransactionResult> RollbackAsync(int? generation = null, bool dryRun = false, IProgress<ProgressInfo>? progress = null, CancellationToken cancellationToken = default) =>
        Guard(() => RunAsync(new RollbackOperation(generation), dryRun, progress, cancellationToken));

    public Task<TransactionResult> GcAsync(int keep = 3, bool dryRun = false, IProgress<ProgressInfo>? progress = null, CancellationToken cancellationToken = default) =>
        Guard(() => keep < 1
            ? throw new TransactionException(TransactionError.InvalidRequest, "gc keeps at least one generation")
            : RunAsync(new GcOperation(keep), dryRun, progress, cancellationToken));

    public Task<TransactionResult> PinAsync(string name, string fullName, bool dryRun = false, IProgress<ProgressInfo>? progress = null, CancellationToken cancellationToken = default) =>
        Guard(() => RunAsync(new PinOperation(name, fullName), dryRun, progress, cancellationToken));

    public Task<TransactionResult> UnpinAsync(string name, bool dryRun = false, IProgress<ProgressInfo>? progress = null, CancellationToken cancellationToken = default) =>
        Guard(() => RunAsync(new PinOperation(name, null), dryRun, progress, cancellationToken));

    public Task<IReadOnlyList<GenerationInfo>> GenerationsAsync(CancellationToken cancellationToken = default)
    {
        int current = generations.Current?.Number ?? 0;
        IReadOnlyList<GenerationInfo> list = [.. generations.List().Select(g => new GenerationInfo
        {
            Number = g.Number,
            Current = g.Number == current,
            Created = g.Created,
            Description = g.Description,
            Packages = g.Packages,
            Pins = g.Pins,
        })];
        return Task.FromResult(list);
    }

    private async Task<TransactionResult> RunAsync(StoreOperation operation, bool dryRun, IProgress<ProgressInfo>? progress, CancellationToken cancellationToken)
    {
        var relay = progress is null ? null : new SynchronousProgress<TransactionProgress>(p => progress.Report(new ProgressInfo
        {
            Phase = p.Phase,
            Package = p.Package,
            PackageBytesDone = p.PackageBytesDone,
            PackageBytesTotal = p.PackageBytesTotal,
            TotalBytesDone = p.TotalBytesDone,
            TotalBytes = p.TotalBytes,
        }));
        var outcome = await transactions.RunAsync(operation, dryRun, relay, cancellationToken);
        return new TransactionResult
        {
            Description = outcome.Description,
            DryRun = outcome.DryRun,
            Changed = outcome.Changed,
            PreviousGeneration = outcome.PreviousGeneration,
            Generation = outcome.Generation,
            Added = outcome.Added,
            Removed = outcome.Removed,
            Downloaded = outcome.Downloaded,
            DownloadBytes = outcome.DownloadBytes,
            Deleted = outcome.Deleted,
        };
    }

    private async Task<PackageCatalog> CatalogAsync(bool withAvailable, CancellationToken cancellationToken)
    {
        var available = withAvailable ? await Guard(() => transactions.AvailableAsync(cancellationToken)) : [];
        return new PackageCatalog(store.Scan(), available);
    }

    private HashSet<string> InstalledSet() => generations.Current?.Packages.ToHashSet(StringComparer.Ordinal) ?? [];

    private static PackageInfo ToInfo(PackageMetadata p, PackageCatalog catalog, HashSet<string> installed)
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
        };
    }

    /// <summary>Turns a refused transaction into a JSON-RPC error with a stable code and a one-line message.</summary>
    private static async Task<T> Guard<T>(Func<Task<T>> call)
    {
        try
        {
            return await call();
        }
        catch (TransactionException e)
        {
            throw new LocalRpcException(e.Message) { ErrorCode = ErrorCodes.TransactionBase + (int)e.Error, ErrorData = null };
        }
    }

    /// <summary>Reports on the caller's thread (Progress&lt;T&gt; would post to the thread pool and reorder reports).</summary>
    private sealed class SynchronousProgress<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }
}
