using System.Reflection;
using Distrid.FileSystem;
using Distrid.FileSystem.Exchange;
using Distrid.Hosting;
using Distrid.Protocol;
using Distrid.Store;

namespace Distrid.Api;

/// <summary>
/// The API both front ends serve. It only maps between the contract's DTOs and the daemon's services; the logic
/// lives in those services.
/// </summary>
internal sealed class DistridApi(DaemonOptions options, PackageStore store, MountService mount, RoFileSystem fileSystem) : IDistridApi
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
            Conflicts = [.. current.Exchange.Conflicts.Select(c => new ConflictInfo
            {
                Path = c.Path,
                Winner = c.Winner,
                Losers = c.Losers,
                Reason = c.Reason switch
                {
                    ConflictReason.Pin => "pin",
                    ConflictReason.Revision => "revision",
                    _ => "name-order",
                },
            })],
            BrokenImages = [.. current.Broken.Select(b => new BrokenImageInfo { FullName = b.FullName, Error = b.Error })],
            Fuse = statistics is null ? null : new FuseStatistics { Requests = statistics.TotalRequests, ByOpcode = statistics.Snapshot() },
        });
    }

    public Task<IReadOnlyList<PackageInfo>> ListAsync(bool available = false, CancellationToken cancellationToken = default)
    {
        IReadOnlyList<PackageInfo> list = [.. store.Scan().Select(ToInfo)];
        return Task.FromResult(list);
    }

    private static PackageInfo ToInfo(StoredPackage p) => new()
    {
        FullName = p.FullName,
        Name = p.Name.Name,
        Arch = p.Name.Arch,
        Version = p.Name.Version,
        Revision = p.Name.Revision,
        Summary = p.Metadata?.Summary ?? "",
        Size = p.Size,
        Dependencies = p.Metadata?.Dependencies ?? [],
    };
}
