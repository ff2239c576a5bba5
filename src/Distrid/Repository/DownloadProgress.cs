namespace Distrid.Repository;

/// <summary>
/// A progress report of <see cref="RepositoryClient.DownloadAsync"/>: one package's image bytes and the total over all
/// packages. Bytes count the uncompressed image, whatever travels over the wire, so that the sizes of the index add up.
/// Reported every <see cref="RepositoryClient.ProgressGranularity"/> bytes or <see cref="RepositoryClient.ProgressInterval"/> per
/// package, whichever comes first, and when a package completes.
/// </summary>
public readonly record struct DownloadProgress(
    string FullName,
    long PackageBytesDone,
    long PackageBytesTotal,
    long TotalBytesDone,
    long TotalBytes,
    bool PackageCompleted);
