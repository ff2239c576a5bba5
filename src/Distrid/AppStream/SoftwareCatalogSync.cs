using System.Text;
using Distri.Core.AppStream;
using Distri.Core.Repository;
using Distrid.Repository;
using Microsoft.Extensions.Logging;

namespace Distrid.AppStream;

/// <summary>
/// Keeps the software catalog directory in step with the repository: after each verified index (see
/// <see cref="RepositoryClient.IndexVerified"/>) it downloads the catalog and icons the index names, checks them against
/// the index's sha256, and installs them under the repository's origin; an index without a catalog removes it. What
/// was installed is remembered in <c>STATE/appstream/&lt;origin&gt;</c> (the digests), so an unchanged index costs
/// nothing and only origins this daemon installed are ever removed. A failure logs a warning and leaves the previous
/// catalog: software centers then show slightly older data, and installs are unaffected.
/// </summary>
public sealed class SoftwareCatalogSync(SoftwareCatalogDirectory directory, string stampDirectory, ILogger<SoftwareCatalogSync> logger)
{
    public SoftwareCatalogDirectory Directory => directory;

    /// <summary>The observer for <see cref="RepositoryClient.IndexVerified"/> of a repository installed as <paramref name="origin"/>.</summary>
    public Func<IndexFetchResult, CancellationToken, Task> ObserverFor(RepositoryClient client, string origin) =>
        (result, cancellationToken) => SyncAsync(client, origin, result, cancellationToken);

    public async Task SyncAsync(RepositoryClient client, string origin, IndexFetchResult result, CancellationToken cancellationToken)
    {
        try
        {
            if (result.Index.AppStream is not { } files)
            {
                if (Stamp(origin) is not null)
                {
                    Remove(origin);
                    logger.LogInformation("AppStream catalog {Origin} removed: the repository no longer has one", origin);
                }

                return;
            }

            string wanted = $"{files.Catalog.Sha256}\n{files.Icons.Sha256}\n";
            if (Stamp(origin) == wanted && File.Exists(directory.CatalogPath(origin)))
            {
                return;
            }

            byte[] catalog = await client.DownloadIndexedFileAsync(
                result.Mirror, AppStreamLayout.CatalogPath, files.Catalog, AppStreamLayout.MaxCatalogFileBytes, cancellationToken);
            byte[] icons = await client.DownloadIndexedFileAsync(
                result.Mirror, AppStreamLayout.IconsPath, files.Icons, AppStreamLayout.MaxIconArchiveBytes, cancellationToken);
            int iconCount = directory.Install(origin, CatalogDocument.WithOrigin(catalog, origin), icons);
            WriteStamp(origin, wanted);
            logger.LogInformation("AppStream catalog {Origin} installed in {Directory} ({Icons} icons)", origin, directory.Root, iconCount);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The refresh was cancelled; the next one catches up.
        }
        catch (Exception e) when (e is RepositoryException or AppStreamException or IOException or UnauthorizedAccessException)
        {
            logger.LogWarning("AppStream catalog {Origin} not updated: {Error}", origin, e.Message);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Whatever else a signed but broken archive provokes in a parser: the refresh it rides on must still succeed.
            logger.LogWarning("AppStream catalog {Origin} not updated: {Error}", origin, e.Message.ReplaceLineEndings(" "));
        }
    }

    /// <summary>Removes the catalog of every origin this daemon installed that is not in <paramref name="keep"/> (a repository that went).</summary>
    public void RemoveAllExcept(IReadOnlyCollection<string> keep)
    {
        if (!System.IO.Directory.Exists(stampDirectory))
        {
            return;
        }

        foreach (string stamp in System.IO.Directory.EnumerateFiles(stampDirectory))
        {
            string origin = Path.GetFileName(stamp);
            if (CatalogOrigin.IsOurs(origin) && !keep.Contains(origin))
            {
                try
                {
                    Remove(origin);
                    logger.LogInformation("AppStream catalog {Origin} removed: its repository is no longer configured", origin);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    logger.LogWarning("AppStream catalog {Origin} not removed: {Error}", origin, e.Message);
                }
            }
        }
    }

    private void Remove(string origin)
    {
        directory.Remove(origin);
        File.Delete(Path.Combine(stampDirectory, origin));
    }

    private string? Stamp(string origin)
    {
        var file = new FileInfo(Path.Combine(stampDirectory, origin));
        return file.Exists && file.Length <= 512 ? File.ReadAllText(file.FullName) : null;
    }

    private void WriteStamp(string origin, string digests)
    {
        System.IO.Directory.CreateDirectory(stampDirectory);
        AtomicFile.Write(Path.Combine(stampDirectory, origin), Encoding.UTF8.GetBytes(digests));
    }
}
