namespace Distrid.Tests.Support;

/// <summary>A directory under /tmp that is removed (after lazy-unmounting anything left in it) on dispose.</summary>
public sealed class TempDirectory : IDisposable
{
    public TempDirectory(string prefix = "distrid-test")
    {
        Path = Directory.CreateTempSubdirectory(prefix + "-").FullName;
    }

    public string Path { get; }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // A mount still busy in the directory: leave it for the OS rather than failing the test on cleanup.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
