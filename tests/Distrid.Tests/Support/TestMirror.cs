using Distri.Core.Repository;

namespace Distrid.Tests.Support;

/// <summary>
/// A signed repository on disk served by a real nginx: packages are packed with our writer into <c>pkg/</c>,
/// then <c>RepositoryBuilder</c> writes the index, its signature and the .zst copies.
/// </summary>
public sealed class TestMirror : IDisposable
{
    private readonly NginxFixture _nginx;
    private DateTime? _lastPublished;

    private TestMirror(string root, NginxFixture nginx)
    {
        Root = root;
        _nginx = nginx;
        TrustedKeys = Path.Combine(root, "..", "trusted.d");
        Directory.CreateDirectory(Path.Combine(Repository, "pkg"));
        Directory.CreateDirectory(TrustedKeys);
        using var key = RepositoryKey.Generate();
        key.Save(KeyPrefix);
        File.Copy(KeyPrefix + RepositoryKey.PublicKeyExtension, Path.Combine(TrustedKeys, "test.pub"));
    }

    public string Root { get; }

    /// <summary>The repository's directory (served as /repo/).</summary>
    public string Repository => Path.Combine(Root, "repo");

    public string TrustedKeys { get; }

    public string KeyPrefix => Path.Combine(Root, "..", "mirror-key");

    public Uri Url => _nginx.UrlFor("repo/");

    /// <summary>Starts nginx on <paramref name="root"/>; null (outside CI) when nginx is missing.</summary>
    public static TestMirror? TryStart(string root)
    {
        Directory.CreateDirectory(root);
        var nginx = NginxFixture.TryStart(root);
        return nginx is null ? null : new TestMirror(root, nginx);
    }

    /// <summary>Packs a package into the mirror (call <see cref="Publish"/> afterwards).</summary>
    public void Add(string fullName, IReadOnlyDictionary<string, string> files, params string[] dependencies) =>
        PackageFactory.Pack(Path.Combine(Repository, "pkg"), fullName, files, Root, dependencies);

    /// <summary>
    /// Writes index.json, its signature and the .zst copies. Each publish moves the index's mtime on by at least a
    /// second: nginx's validators (Last-Modified, and an ETag of mtime and length) have one-second resolution, so an
    /// index republished within the second at the same length (one package swapped for another of equal name
    /// lengths) would answer a conditional GET with 304, as any nginx mirror would, and the daemon keep the old one.
    /// </summary>
    public void Publish()
    {
        RepositoryBuilder.Build(Repository, KeyPrefix);
        string index = Path.Combine(Repository, RepositoryLayout.IndexFile);
        var now = DateTime.UtcNow;
        var published = new DateTime(now.Ticks - now.Ticks % TimeSpan.TicksPerSecond, DateTimeKind.Utc);
        if (_lastPublished is { } last && published <= last)
        {
            published = last.AddSeconds(1);
        }

        File.SetLastWriteTimeUtc(index, published);
        _lastPublished = published;
    }

    /// <summary>The daemon arguments that use this mirror.</summary>
    /// <summary>The requests nginx answered for this mirror so far (see <see cref="NginxFixture.Requests"/>).</summary>
    public IReadOnlyList<NginxRequest> Requests() => _nginx.Requests();

    public string[] DaemonArguments() => ["--repo", Url.ToString(), "--trusted-keys", TrustedKeys];

    public void Dispose() => _nginx.Dispose();
}
