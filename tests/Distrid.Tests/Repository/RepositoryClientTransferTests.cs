using System.Text.Json;
using Distri.Core.Packages;
using Distrid.Repository;
using Distrid.Tests.Support;

namespace Distrid.Tests.Repository;

/// <summary>
/// What a download transfers and leaves behind: the .zst transport copy only when it saves enough, the metadata
/// beside every image, nothing temporary. Runs against the in-process <see cref="FaultyHttpServer"/> (no faults added).
/// </summary>
public sealed class RepositoryClientTransferTests
{
    [Fact]
    public async Task A_zst_copy_that_saves_little_is_skipped_for_the_plain_image()
    {
        // Random images: their .zst copies are no smaller, like images whose SquashFS blocks are already compressed.
        using var repo = TestRepository.Create(packages: 3, compressible: false);
        Assert.All(repo.Index.Packages, p => Assert.NotNull(p.Zst));
        using var server = new FaultyHttpServer(repo.WebRoot);
        using var client = new RepositoryClient(repo.Options(server.UrlFor("repo")));
        await client.FetchIndexAsync();

        await client.DownloadAsync(repo.Packages, repo.TargetDir);

        Assert.DoesNotContain(server.Requests, r => r.Path.EndsWith(".zst", StringComparison.Ordinal));
        Assert.Equal(3, server.Requests.Count(r => r.Path.EndsWith(".squashfs", StringComparison.Ordinal)));
        Assert.All(repo.Packages, p => Assert.Equal(p.Sha256, TestRepository.Sha256Of(Path.Combine(repo.TargetDir, p.FullName + ".squashfs"))));
    }

    [Fact]
    public async Task A_zst_copy_that_saves_a_quarter_is_preferred()
    {
        using var repo = TestRepository.Create(packages: 3);
        Assert.All(repo.Index.Packages, p => Assert.True(p.Zst!.Size < p.Size * 0.8, $"{p.FullName}: .zst {p.Zst.Size} of {p.Size} bytes"));
        using var server = new FaultyHttpServer(repo.WebRoot);
        using var client = new RepositoryClient(repo.Options(server.UrlFor("repo")));
        await client.FetchIndexAsync();

        await client.DownloadAsync(repo.Packages, repo.TargetDir);

        Assert.Equal(3, server.Requests.Count(r => r.Path.EndsWith(".squashfs.zst", StringComparison.Ordinal)));
        Assert.DoesNotContain(server.Requests, r => r.Path.EndsWith(".squashfs", StringComparison.Ordinal));
        Assert.All(repo.Packages, p => Assert.Equal(p.Sha256, TestRepository.Sha256Of(Path.Combine(repo.TargetDir, p.FullName + ".squashfs"))));
    }

    [Fact]
    public async Task Metadata_is_written_beside_each_image_and_nothing_temporary_stays()
    {
        using var repo = TestRepository.Create(packages: 4);
        using var server = new FaultyHttpServer(repo.WebRoot);
        using var client = new RepositoryClient(repo.Options(server.UrlFor("repo")));
        await client.FetchIndexAsync();

        await client.DownloadAsync(repo.Packages, repo.TargetDir);

        foreach (var package in repo.Packages)
        {
            string metaPath = Path.Combine(repo.TargetDir, package.FullName + PackageMetadata.MetadataExtension);
            var written = JsonSerializer.Deserialize(File.ReadAllBytes(metaPath), PackageMetadataJsonContext.Default.PackageMetadata);
            Assert.NotNull(written);
            Assert.Equal(package.FullName, written.FullName);
            Assert.Equal(package.Sha256, written.Sha256);
            Assert.Equal(package.Size, written.Size);
            Assert.Equal(package.Dependencies, written.Dependencies);
        }

        Assert.Equal(8, Directory.GetFiles(repo.TargetDir).Length);
        Assert.Empty(Directory.GetFiles(repo.TargetDir, ".*"));
    }

    [Fact]
    public async Task A_failed_package_leaves_neither_image_nor_metadata()
    {
        using var repo = TestRepository.Create(packages: 2, zst: false);
        var victim = repo.Packages[1];
        using var server = new FaultyHttpServer(repo.WebRoot);
        server.AddFault($"/repo/pkg/{victim.FullName}.squashfs", new StatusFault(404, "Not Found"), times: 10);
        using var client = new RepositoryClient(repo.Options(server.UrlFor("repo")));
        await client.FetchIndexAsync();

        await Assert.ThrowsAsync<DownloadFailedException>(() => client.DownloadAsync(repo.Packages, repo.TargetDir));

        Assert.Equal(
            [repo.Packages[0].FullName + PackageMetadata.MetadataExtension, repo.Packages[0].FullName + PackageMetadata.ImageExtension],
            Directory.GetFiles(repo.TargetDir).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData(90, 100, 0.10, true)]
    [InlineData(91, 100, 0.10, false)]
    [InlineData(100, 100, 0.0, true)]
    [InlineData(101, 100, 0.0, false)]
    [InlineData(50, 100, 0.5, true)]
    public void Transport_copy_is_preferred_only_when_it_saves_the_minimum(long transport, long image, double saving, bool expected)
    {
        using var client = new RepositoryClient(Options() with { MinimumTransportSaving = saving });
        Assert.Equal(expected, client.PrefersTransportCopy(transport, image));
    }

    [Theory]
    [InlineData(-0.1)]
    [InlineData(1.0)]
    [InlineData(double.NaN)]
    public void A_minimum_saving_outside_zero_to_one_is_refused(double saving)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new RepositoryClient(Options() with { MinimumTransportSaving = saving }));
    }

    private static RepositoryClientOptions Options() => new()
    {
        Mirrors = [new Uri("http://127.0.0.1:9/")],
        TrustedKeysDirectory = "/nonexistent",
        CacheDirectory = "/nonexistent",
    };
}
