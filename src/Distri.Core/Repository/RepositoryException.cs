namespace Distri.Core.Repository;

/// <summary>
/// Something about a repository (its index, signature, a mirror or a download) is wrong. The message is one line that
/// names the culprit (a file, a mirror URL or a package) so that it can be shown to a user as is.
/// </summary>
public class RepositoryException : Exception
{
    public RepositoryException(string message)
        : base(message)
    {
    }

    public RepositoryException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public RepositoryException()
    {
    }
}
