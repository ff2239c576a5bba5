using Distrid.Tests.Support;

namespace Distrid.Tests.Import;

/// <summary>
/// One signed archive of curl's real closure (and dash's), built once per test class: apt-ftparchive's Contents pass
/// is the slow part. Each test copies it (<see cref="CopyTo"/>) so that it can tamper with its own copy.
/// </summary>
public sealed class AptArchiveFixture : IDisposable
{
    private readonly TempDirectory? _temp;

    public AptArchiveFixture()
    {
        if (!Requirements.Tool("/usr/bin/apt-ftparchive") || !Requirements.Tool("/usr/bin/gpg") || !Requirements.Tool("/usr/bin/gpgv")
            || !Requirements.Tool("/usr/bin/dpkg-deb"))
        {
            return;
        }

        Debs = DebCache.Ensure(DebCache.CurlAndShell);
        _temp = new TempDirectory("distrid-apt-archive");
        Archive = new TestAptArchive();
        Pristine = Path.Combine(_temp.Path, "archive");
        Archive.Publish(Pristine, Debs);
    }

    /// <summary>Null when the tools are missing outside CI (the tests then return early).</summary>
    public TestAptArchive? Archive { get; }

    public IReadOnlyList<string> Debs { get; } = [];

    public string Pristine { get; } = "";

    public void CopyTo(string root)
    {
        foreach (string directory in Directory.EnumerateDirectories(Pristine, "*", SearchOption.AllDirectories))
        {
            Directory.CreateDirectory(Path.Combine(root, Path.GetRelativePath(Pristine, directory)));
        }

        foreach (string file in Directory.EnumerateFiles(Pristine, "*", SearchOption.AllDirectories))
        {
            File.Copy(file, Path.Combine(root, Path.GetRelativePath(Pristine, file)));
        }
    }

    public void Dispose()
    {
        Archive?.Dispose();
        _temp?.Dispose();
    }
}
