namespace Distrid.Repository;

/// <summary>
/// A progress report of <see cref="RepositoryClient.DownloadAsync"/>: one package's image bytes and the total over all
/// packages. Bytes count the uncompressed image, whatever travels over the wire, so that the sizes of the index add up.
/// Reported at most every <see cref="RepositoryClient.ProgressGranularity"/> bytes per package, and when a package completes.
/// </summary>
public readonly record struct DownloadProgress(
    string FullName,
    long PackageBytesDone,
    long PackageBytesTotal,
    long TotalBytesDone,
    long TotalBytes,
    bool PackageCompleted);
