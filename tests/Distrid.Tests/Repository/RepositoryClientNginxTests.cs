using System.Collections.Concurrent;
using Distri.Core.Packages;
using Distri.Core.Repository;
using Distrid.Repository;
using Distrid.Tests.Support;

namespace Distrid.Tests.Repository;

/// <summary>The repository client against a real nginx serving a signed repository built by <see cref="RepositoryBuilder"/>.</summary>
public sealed class RepositoryClientNginxTests
{
    [Fact]
    public async Task Fetches_verified_index_and_downloads_packages_in_parallel()
    {
        using var repo = TestRepository.Create(packages: 8);
        using var nginx = NginxFixture.TryStart(repo.WebRoot);
        if (nginx is null)
        {
            return;
        }

        using var client = new RepositoryClient(repo.Options(nginx.UrlFor("repo")));
        var fetched = await client.FetchIndexAsync();
        Assert.False(fetched.NotModified);
        Assert.Equal(8, fetched.Index.Packages.Count);
        Assert.All(fetched.Index.Packages, p => Assert.NotNull(p.Zst));

        var reports = new ConcurrentQueue<DownloadProgress>();
        await client.DownloadAsync(repo.Packages, repo.TargetDir, new SynchronousProgress(reports.Enqueue));

        foreach (var package in repo.Packages)
        {
            string image = Path.Combine(repo.TargetDir, package.FullName + PackageMetadata.ImageExtension);
            Assert.Equal(package.Sha256, TestRepository.Sha256Of(image));
            Assert.Equal(File.ReadAllBytes(repo.PkgFile(package.FullName, PackageMetadata.ImageExtension)), File.ReadAllBytes(image));
        }

        // Nothing but the images and their metadata: no temporary files left.
        Assert.Equal(8, Directory.GetFiles(repo.TargetDir, "*.squashfs").Length);
        Assert.Equal(16, Directory.GetFiles(repo.TargetDir).Length);
        long total = repo.Packages.Sum(p => p.Size);
        Assert.Equal(8, reports.Count(r => r.PackageCompleted));
        Assert.Contains(reports, r => r.PackageCompleted && r.TotalBytesDone == total && r.TotalBytes == total);
    }

    [Fact]
    public async Task Refetch_is_a_conditional_get_answered_not_modified_from_the_cache()
    {
        using var repo = TestRepository.Create(packages: 2);
        using var nginx = NginxFixture.TryStart(repo.WebRoot);
        if (nginx is null)
        {
            return;
        }

        using (var client = new RepositoryClient(repo.Options(nginx.UrlFor("repo"))))
        {
            Assert.False((await client.FetchIndexAsync()).NotModified);
        }

        // A new client (a daemon restart) still has the cache, and nginx answers 304 to its validators.
        using (var client = new RepositoryClient(repo.Options(nginx.UrlFor("repo"))))
        {
            var again = await client.FetchIndexAsync();
            Assert.True(again.NotModified);
            Assert.Equal(repo.Index.Packages.Select(p => p.Sha256), again.Index.Packages.Select(p => p.Sha256));

            // Within one daemon a 304 reuses the index it verified, without parsing it again.
            var third = await client.FetchIndexAsync();
            Assert.True(third.NotModified);
            Assert.Same(again.Index, third.Index);

            // The mirror changes: the next fetch gets the new index.
            repo.AddPackage("extra-amd64-2.0-1", 1000, []);
            File.SetLastWriteTimeUtc(repo.PkgFile("extra-amd64-2.0-1", ".squashfs"), DateTime.UtcNow.AddMinutes(1));
            repo.Rebuild();
            var changed = await client.FetchIndexAsync();
            Assert.False(changed.NotModified);
            Assert.NotNull(changed.Index.Find("extra-amd64-2.0-1"));
        }
    }

    [Fact]
    public async Task An_unchanged_index_is_refused_once_its_key_is_no_longer_trusted()
    {
        using var repo = TestRepository.Create(packages: 2);
        using var nginx = NginxFixture.TryStart(repo.WebRoot);
        if (nginx is null)
        {
            return;
        }

        using var client = new RepositoryClient(repo.Options(nginx.UrlFor("repo")));
        await client.FetchIndexAsync();
        File.Delete(Path.Combine(repo.TrustedDir, "repo.pub"));

        // The mirror answers 304, but the verified copy in memory may only be reused while its signer is trusted.
        var error = await Assert.ThrowsAsync<RepositoryException>(() => client.FetchIndexAsync());
        Assert.Contains("unknown key", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Falls_back_to_the_plain_image_when_the_mirror_has_no_zst()
    {
        using var repo = TestRepository.Create(packages: 3);
        repo.DeleteZstFiles(); // The index still lists them: the client must cope with the 404.
        await AssertDownloadsAreIntactAsync(repo);
    }

    [Fact]
    public async Task A_corrupt_zst_falls_back_to_the_plain_image_of_the_same_mirror()
    {
        using var repo = TestRepository.Create(packages: 2);
        var victim = repo.Packages[0];
        string zst = repo.PkgFile(victim.FullName, ".squashfs.zst");
        File.WriteAllBytes(zst, new byte[new FileInfo(zst).Length]); // same size as the index says, not zstd
        await AssertDownloadsAreIntactAsync(repo);
    }

    [Fact]
    public async Task Bad_signature_is_refused_and_changes_nothing()
    {
        using var repo = TestRepository.Create(packages: 2);
        string indexPath = Path.Combine(repo.RepoDir, "index.json");
        File.WriteAllText(indexPath, File.ReadAllText(indexPath).Replace("test package", "evil package", StringComparison.Ordinal));
        await AssertIndexFetchFails(repo, "index.json.sig: bad signature by key");
    }

    [Fact]
    public async Task Index_signed_by_an_unknown_key_is_refused()
    {
        using var repo = TestRepository.Create(packages: 2);
        File.Delete(Path.Combine(repo.TrustedDir, "repo.pub"));
        using (var other = RepositoryKey.Generate())
        {
            other.Save(Path.Combine(repo.TrustedDir, "other"));
        }

        File.Delete(Path.Combine(repo.TrustedDir, "other.key"));
        await AssertIndexFetchFails(repo, "index.json.sig: signed by unknown key");
    }

    [Theory]
    [InlineData("../evil-amd64-1-1")]
    [InlineData("evil/x-amd64-1-1")]
    public async Task Index_with_a_path_in_a_name_is_refused_even_when_signed(string badName)
    {
        using var repo = TestRepository.Create(packages: 1);
        string indexPath = Path.Combine(repo.RepoDir, "index.json");
        byte[] forged = System.Text.Encoding.UTF8.GetBytes(File.ReadAllText(indexPath).Replace("pkg0-amd64-1.0-1", badName, StringComparison.Ordinal));
        File.WriteAllBytes(indexPath, forged);
        using (var key = RepositoryKey.LoadPrivate(repo.KeyPrefix + ".key"))
        {
            File.WriteAllBytes(Path.Combine(repo.RepoDir, "index.json.sig"), IndexSignature.Create(key, forged).ToUtf8Json());
        }

        await AssertIndexFetchFails(repo, $"index.json: package #0 '{badName}': full name contains '/', NUL or '..'");
    }

    [Fact]
    public async Task Index_over_the_size_limit_is_refused()
    {
        using var repo = TestRepository.Create(packages: 3);
        await AssertIndexFetchFails(repo, "index.json is ", options => options with { MaxIndexSize = 200 }, "over the limit of 200");
    }

    [Fact]
    public async Task Missing_index_is_a_404_naming_the_mirror()
    {
        using var repo = TestRepository.Create(packages: 1);
        File.Delete(Path.Combine(repo.RepoDir, "index.json"));
        await AssertIndexFetchFails(repo, "404 Not Found for index.json");
    }

    [Fact]
    public async Task Image_with_wrong_content_fails_with_sha256_mismatch_and_leaves_no_file()
    {
        using var repo = TestRepository.Create(packages: 3, zst: false);
        var victim = repo.Packages[1];
        byte[] other = new byte[victim.Size];
        other[0] = 1;
        File.WriteAllBytes(repo.PkgFile(victim.FullName, ".squashfs"), other);

        var failure = await AssertDownloadFails(repo, $"{victim.FullName}: sha256 mismatch (expected {victim.Sha256}, got ");
        Assert.Single(failure.Failures);
        Assert.DoesNotContain(Directory.GetFiles(repo.TargetDir), f => f.Contains(victim.FullName, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Truncated_image_is_refused_and_leaves_no_file()
    {
        using var repo = TestRepository.Create(packages: 2, zst: false);
        var victim = repo.Packages[0];
        string path = repo.PkgFile(victim.FullName, ".squashfs");
        File.WriteAllBytes(path, File.ReadAllBytes(path)[..(int)(victim.Size / 2)]);
        await AssertDownloadFails(repo, $"{victim.FullName}: pkg/{victim.FullName}.squashfs is {victim.Size / 2} bytes on the mirror, the index says {victim.Size}");
    }

    [Fact]
    public async Task Image_larger_than_the_index_says_is_refused()
    {
        using var repo = TestRepository.Create(packages: 2, zst: false);
        var victim = repo.Packages[1];
        using (var file = new FileStream(repo.PkgFile(victim.FullName, ".squashfs"), FileMode.Append))
        {
            file.Write(new byte[10]);
        }

        await AssertDownloadFails(repo, $"{victim.FullName}: pkg/{victim.FullName}.squashfs is {victim.Size + 10} bytes on the mirror, the index says {victim.Size}");
    }

    [Fact]
    public async Task Missing_image_is_a_404()
    {
        using var repo = TestRepository.Create(packages: 2, zst: false);
        var victim = repo.Packages[1];
        File.Delete(repo.PkgFile(victim.FullName, ".squashfs"));
        await AssertDownloadFails(repo, $"{victim.FullName}: 404 Not Found for pkg/{victim.FullName}.squashfs");
    }

    [Fact]
    public async Task Fails_over_from_a_dead_mirror_to_the_next()
    {
        using var repo = TestRepository.Create(packages: 3);
        using var nginx = NginxFixture.TryStart(repo.WebRoot);
        if (nginx is null)
        {
            return;
        }

        var dead = new Uri($"http://127.0.0.1:{UnusedPort()}/repo");
        using var client = new RepositoryClient(repo.Options(dead, nginx.UrlFor("repo")) with { Retries = 1 });
        var fetched = await client.FetchIndexAsync();
        Assert.Equal(nginx.UrlFor("repo"), fetched.Mirror);

        // Downloads, given both mirrors with the dead one first, succeed too.
        using var fresh = new RepositoryClient(repo.Options(dead, nginx.UrlFor("repo")) with { Retries = 0 });
        await fresh.DownloadAsync(repo.Packages, repo.TargetDir);
        Assert.Equal(3, Directory.GetFiles(repo.TargetDir, "*.squashfs").Length);
    }

    /// <summary>Every package of <paramref name="repo"/>, downloaded from nginx, is the image the index names.</summary>
    private static async Task AssertDownloadsAreIntactAsync(TestRepository repo)
    {
        using var nginx = NginxFixture.TryStart(repo.WebRoot);
        if (nginx is null)
        {
            return;
        }

        using var client = new RepositoryClient(repo.Options(nginx.UrlFor("repo")));
        await client.FetchIndexAsync();
        await client.DownloadAsync(repo.Packages, repo.TargetDir);
        Assert.All(repo.Packages, p => Assert.Equal(p.Sha256, TestRepository.Sha256Of(Path.Combine(repo.TargetDir, p.FullName + ".squashfs"))));
    }

    internal static int UnusedPort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static async Task AssertIndexFetchFails(
        TestRepository repo, string expected, Func<RepositoryClientOptions, RepositoryClientOptions>? configure = null, string? alsoExpected = null)
    {
        using var nginx = NginxFixture.TryStart(repo.WebRoot);
        if (nginx is null)
        {
            return;
        }

        var before = repo.Snapshot();
        var options = repo.Options(nginx.UrlFor("repo"));
        using var client = new RepositoryClient(configure is null ? options : configure(options));
        var error = await Assert.ThrowsAsync<RepositoryException>(() => client.FetchIndexAsync());
        Assert.StartsWith($"mirror {nginx.UrlFor("repo")}: ", error.Message, StringComparison.Ordinal);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        if (alsoExpected is not null)
        {
            Assert.Contains(alsoExpected, error.Message, StringComparison.Ordinal);
        }

        Assert.DoesNotContain('\n', error.Message);
        Assert.Null(client.Current);
        Assert.Equal(before, repo.Snapshot());
    }

    private static async Task<DownloadFailedException> AssertDownloadFails(TestRepository repo, string expected)
    {
        using var nginx = NginxFixture.TryStart(repo.WebRoot);
        if (nginx is null)
        {
            return new DownloadFailedException([expected]);
        }

        using var client = new RepositoryClient(repo.Options(nginx.UrlFor("repo")));
        await client.FetchIndexAsync();
        var error = await Assert.ThrowsAsync<DownloadFailedException>(() => client.DownloadAsync(repo.Packages, repo.TargetDir));
        Assert.StartsWith(expected, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error.Message);

        // The other packages completed (image and metadata); the failed one left nothing, not even a temporary file.
        Assert.Equal(repo.Packages.Count - 1, Directory.GetFiles(repo.TargetDir, "*.squashfs").Length);
        Assert.Equal(2 * (repo.Packages.Count - 1), Directory.GetFiles(repo.TargetDir).Length);
        return error;
    }
}

/// <summary>IProgress that reports on the calling thread (Progress&lt;T&gt; posts to the thread pool, racing the asserts).</summary>
internal sealed class SynchronousProgress(Action<DownloadProgress> report) : IProgress<DownloadProgress>
{
    public void Report(DownloadProgress value) => report(value);
}
