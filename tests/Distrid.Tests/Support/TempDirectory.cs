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
            TestMounts.Remove(Path);
        }
        catch (IOException)
        {
            // Not failing the test on cleanup; scripts/test.sh ends with a check that names whatever is left.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
