using Distrid.Generations;
using Distrid.Store;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Distrid.Transactions;

/// <summary>
/// Runs first at start: finishes or discards what a crash left in the state directory, and on a system that has
/// no generation yet adopts the store's images as its first generation, so that /ro shows them from the first start.
/// Only a <c>current</c> that is absent leads to adoption: an unreadable one throws
/// <see cref="UnreadableGenerationException"/> and the start fails (DaemonHost checks it first, for a one-line error).
/// </summary>
internal sealed class StateRecoveryService(GenerationStore generations, PackageStore store, ILogger<StateRecoveryService> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        generations.Recover();
        if (generations.Current is null)
        {
            var images = store.Scan().Select(p => p.FullName).ToList();
            int number = generations.NextNumber;
            generations.Commit("adopt", new Generation
            {
                Number = number,
                Requested = images,
                Packages = images,
                Created = DateTimeOffset.UtcNow,
                Description = "adopt the store's images",
            });
            logger.LogInformation("generation {Number}: adopted {Count} images found in the store", number, images.Count);
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
