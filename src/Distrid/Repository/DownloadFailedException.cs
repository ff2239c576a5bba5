using Distri.Core.Repository;

namespace Distrid.Repository;

/// <summary>
/// One or more packages could not be downloaded. Each failure is one line naming its package; packages that did
/// succeed are in the target directory, failed ones left no file behind.
/// </summary>
public sealed class DownloadFailedException : RepositoryException
{
    public DownloadFailedException(IReadOnlyList<string> failures)
        : base(failures.Count == 1 ? failures[0] : $"{failures[0]} (and {failures.Count - 1} more failed downloads)")
    {
        Failures = failures;
    }

    /// <summary>One line per failed package, sorted.</summary>
    public IReadOnlyList<string> Failures { get; }
}
