using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Distrid.Repository;

/// <summary>
/// Fetches every enabled repository's signed index once in the background after the daemon starts, as a desktop
/// package daemon refreshes its metadata at boot: the first `install`, `search` or `list --available` then costs a
/// conditional GET answered 304 instead of a full download and signature check, and the code on that path is compiled
/// before a user waits on it. A failure only logs (and shows in `repo list`): the next request fetches again and
/// reports the error to its caller.
/// </summary>
internal sealed class IndexRefreshService(RepositorySet repositories, ILogger<IndexRefreshService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await Task.WhenAll(repositories.All.Where(r => r.Enabled).Select(async repository =>
            {
                var fetched = await repositories.RefreshAsync(repository, stoppingToken);
                if (repository.LastError is { } error)
                {
                    logger.LogWarning("mirror index not refreshed at start: {Error}", error);
                }
                else if (fetched is not null)
                {
                    logger.LogInformation("mirror index: {Count} packages from {Mirror}{Cached}",
                        fetched.Index.Packages.Count, MirrorUrls.Display(fetched.Mirror), fetched.NotModified ? " (unchanged)" : "");
                }
            }));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }
}
