using Distrid.Generations;
using Distrid.Store;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Distrid.Transactions;

/// <summary>
/// Runs first at start: finishes or discards what a crash left in the state directory, and on a system that has
/// no generation yet adopts the store's images as generation 1, so that /ro shows them from the first start.
/// </summary>
internal sealed class StateRecoveryService(GenerationStore generations, PackageStore store, ILogger<StateRecoveryService> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        generations.Recover();
        if (generations.Current is null)
        {
            var images = store.Scan().Select(p => p.FullName).ToList();
            generations.Commit("adopt", new Generation
            {
                Number = generations.NextNumber,
                Requested = images,
                Packages = images,
                Created = DateTimeOffset.UtcNow,
                Description = "adopt the store's images",
            });
            logger.LogInformation("generation 1: adopted {Count} images found in the store", images.Count);
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
