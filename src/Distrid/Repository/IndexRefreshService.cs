using Distri.Core.Repository;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Distrid.Repository;

/// <summary>
/// Fetches the mirrors' signed index once in the background after the daemon starts, as a desktop package daemon
/// refreshes its metadata at boot: the first `install`, `search` or `list --available` then costs a conditional GET
/// answered 304 instead of a full download and signature check, and the code on that path is compiled before a user
/// waits on it. A failure only logs: the next request fetches again and reports the error to its caller.
/// </summary>
internal sealed class IndexRefreshService(RepositoryClient repository, ILogger<IndexRefreshService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            var fetched = await repository.FetchIndexAsync(stoppingToken);
            logger.LogInformation("mirror index: {Count} packages from {Mirror}{Cached}",
                fetched.Index.Packages.Count, MirrorUrls.Display(fetched.Mirror), fetched.NotModified ? " (unchanged)" : "");
        }
        catch (RepositoryException e)
        {
            logger.LogWarning("mirror index not refreshed at start: {Error}", e.Message);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }
}
