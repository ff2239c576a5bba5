using Microsoft.Extensions.Hosting;

namespace Distrid.AppStream;

/// <summary>
/// At start, removes the catalogs of repositories that are no longer configured (the daemon's repositories come from
/// its configuration, so a repository "goes" between two runs); the current ones are refreshed with the index.
/// </summary>
internal sealed class SoftwareCatalogCleanup(SoftwareCatalogSync sync, IReadOnlyCollection<string> origins) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        sync.RemoveAllExcept(origins);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
