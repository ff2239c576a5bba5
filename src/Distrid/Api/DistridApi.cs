using System.Reflection;
using Distrid.Hosting;
using Distrid.Protocol;
using Distrid.Store;

namespace Distrid.Api;

/// <summary>
/// The API both front ends serve. It only maps between the contract's DTOs and the daemon's services; the logic
/// lives in those services.
/// </summary>
internal sealed class DistridApi(DaemonOptions options, PackageStore store) : IDistridApi
{
    private static readonly string DaemonVersion =
        typeof(DistridApi).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0";

    public Task<StatusResult> StatusAsync(CancellationToken cancellationToken = default)
    {
        var packages = store.Scan();
        return Task.FromResult(new StatusResult
        {
            Version = DaemonVersion,
            Mountpoint = options.Mountpoint,
            Mounted = false,
            Store = options.Store,
            PackageCount = packages.Count,
            StoreBytes = packages.Sum(p => p.Size),
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
