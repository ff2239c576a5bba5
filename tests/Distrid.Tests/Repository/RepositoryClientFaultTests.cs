using System.Diagnostics;
using Distri.Core.Repository;
using Distrid.Repository;
using Distrid.Tests.Support;

namespace Distrid.Tests.Repository;

/// <summary>The repository client against <see cref="FaultyHttpServer"/>: 5xx, stalls, cut connections, failover.</summary>
public sealed class RepositoryClientFaultTests
{
    [Fact]
    public async Task Server_error_is_retried_then_reported_in_one_line()
    {
        using var repo = TestRepository.Create(packages: 1);
        using var server = new FaultyHttpServer(repo.WebRoot);
        server.AddFault("/repo/index.json", new StatusFault(500, "Internal Server Error"), times: 10);
        using var client = new RepositoryClient(repo.Options(server.UrlFor("repo")));

        var before = repo.Snapshot();
        var error = await Assert.ThrowsAsync<RepositoryException>(() => client.FetchIndexAsync());
        Assert.Equal($"mirror {server.UrlFor("repo")}: 500 Internal Server Error for index.json", error.Message);
        Assert.Equal(3, server.Requests.Count(r => r.Path == "/repo/index.json")); // 1 + Retries (2)
        Assert.Equal(before, repo.Snapshot());
    }

    [Fact]
    public async Task Transient_server_errors_are_retried_until_they_pass()
    {
        using var repo = TestRepository.Create(packages: 2, zst: false);
        using var server = new FaultyHttpServer(repo.WebRoot);
        server.AddFault("/repo/index.json", new StatusFault(503, "Service Unavailable"), times: 2);
        server.AddFault($"/repo/pkg/{repo.Packages[0].FullName}.squashfs", new StatusFault(502, "Bad Gateway"), times: 2);
        using var client = new RepositoryClient(repo.Options(server.UrlFor("repo")));

        await client.FetchIndexAsync();
        await client.DownloadAsync(repo.Packages, repo.TargetDir);
        Assert.Equal(2, Directory.GetFiles(repo.TargetDir, "*.squashfs").Length);
    }

    [Fact]
    public async Task Fails_over_to_the_next_mirror_on_5xx()
    {
        using var repo = TestRepository.Create(packages: 2);
        using var broken = new FaultyHttpServer(repo.WebRoot);
        using var good = new FaultyHttpServer(repo.WebRoot);
        broken.AddFault("/repo/index.json", new StatusFault(500, "Internal Server Error"), times: 100);
        foreach (var package in repo.Packages)
        {
            broken.AddFault($"/repo/pkg/{package.FullName}.squashfs.zst", new StatusFault(500, "Internal Server Error"), times: 100);
        }

        using var client = new RepositoryClient(repo.Options(broken.UrlFor("repo"), good.UrlFor("repo")) with { Retries = 1 });
        var fetched = await client.FetchIndexAsync();
        Assert.Equal(good.UrlFor("repo"), fetched.Mirror);

        // Downloads also move on from a mirror that fails (a fresh client does not know which mirror served the index).
        using var fresh = new RepositoryClient(repo.Options(broken.UrlFor("repo"), good.UrlFor("repo")) with { Retries = 1 });
        await fresh.DownloadAsync(repo.Packages, repo.TargetDir);
        Assert.All(repo.Packages, p => Assert.Equal(p.Sha256, TestRepository.Sha256Of(Path.Combine(repo.TargetDir, p.FullName + ".squashfs"))));
        Assert.Contains(broken.Requests, r => r.Path.EndsWith(".zst", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Stalled_connection_is_aborted_by_the_stall_timeout()
    {
        using var repo = TestRepository.Create(packages: 2, zst: false);
        var victim = repo.Packages[0];
        using var server = new FaultyHttpServer(repo.WebRoot);
        server.AddFault($"/repo/pkg/{victim.FullName}.squashfs", new StallFault(), times: 10);
        using var client = new RepositoryClient(repo.Options(server.UrlFor("repo")) with
        {
            StallTimeout = TimeSpan.FromSeconds(1),
            Retries = 1,
        });
        await client.FetchIndexAsync();

        var clock = Stopwatch.StartNew();
        var error = await Assert.ThrowsAsync<DownloadFailedException>(() => client.DownloadAsync(repo.Packages, repo.TargetDir));
        Assert.Equal($"{victim.FullName}: pkg/{victim.FullName}.squashfs: stalled, no data for 1 s (after 2 attempts)", error.Message);
        Assert.InRange(clock.Elapsed, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(15));
        client.Dispose();
        server.Dispose();
        Assert.Equal(2, Directory.GetFiles(repo.TargetDir).Length); // the other package's image and metadata, no temporary file
    }

    [Fact]
    public async Task Stalled_index_fetch_is_aborted()
    {
        using var repo = TestRepository.Create(packages: 1);
        using var server = new FaultyHttpServer(repo.WebRoot);
        server.AddFault("/repo/index.json", new StallFault(), times: 10);
        using var client = new RepositoryClient(repo.Options(server.UrlFor("repo")) with
        {
            StallTimeout = TimeSpan.FromMilliseconds(200),
            Retries = 0,
        });

        var error = await Assert.ThrowsAsync<RepositoryException>(() => client.FetchIndexAsync());
        Assert.Equal($"mirror {server.UrlFor("repo")}: index.json: stalled, no data for 0.2 s", error.Message);
    }

    [Fact]
    public async Task Interrupted_download_resumes_with_a_range_request()
    {
        using var repo = TestRepository.Create(packages: 1, size: 300_000, zst: false);
        var package = repo.Packages[0];
        string path = $"/repo/pkg/{package.FullName}.squashfs";
        using var server = new FaultyHttpServer(repo.WebRoot);
        server.AddFault(path, new CutFault(AfterBytes: 100_000));
        server.AddFault(path, new CutFault(AfterBytes: 50_000));
        using var client = new RepositoryClient(repo.Options(server.UrlFor("repo")));
        await client.FetchIndexAsync();

        await client.DownloadAsync(repo.Packages, repo.TargetDir);

        Assert.Equal(package.Sha256, TestRepository.Sha256Of(Path.Combine(repo.TargetDir, package.FullName + ".squashfs")));
        Assert.Equal([null, 100_000L, 150_000L], server.Requests.Where(r => r.Path == path).Select(r => r.RangeStart));
    }

    [Fact]
    public async Task Interrupted_zst_download_resumes_from_the_plain_image()
    {
        using var repo = TestRepository.Create(packages: 1, size: 700_000);
        var package = repo.Packages[0];
        string zstPath = $"/repo/pkg/{package.FullName}.squashfs.zst";
        string plainPath = $"/repo/pkg/{package.FullName}.squashfs";
        using var server = new FaultyHttpServer(repo.WebRoot);
        server.AddFault(zstPath, new CutFault(AfterBytes: 500_000));
        using var client = new RepositoryClient(repo.Options(server.UrlFor("repo")));
        await client.FetchIndexAsync();

        await client.DownloadAsync(repo.Packages, repo.TargetDir);

        Assert.Equal(package.Sha256, TestRepository.Sha256Of(Path.Combine(repo.TargetDir, package.FullName + ".squashfs")));
        Assert.Single(server.Requests, r => r.Path == zstPath);
        var resumed = Assert.Single(server.Requests, r => r.Path == plainPath);
        Assert.InRange(resumed.RangeStart ?? 0, 1, 500_000);
    }

    [Fact]
    public async Task Connection_cut_on_every_attempt_fails_after_the_retries_and_leaves_nothing()
    {
        using var repo = TestRepository.Create(packages: 1, zst: false);
        var package = repo.Packages[0];
        using var server = new FaultyHttpServer(repo.WebRoot);
        server.AddFault($"/repo/pkg/{package.FullName}.squashfs", new CutFault(AfterBytes: 1000), times: 10);
        using var client = new RepositoryClient(repo.Options(server.UrlFor("repo")));
        await client.FetchIndexAsync();

        var error = await Assert.ThrowsAsync<DownloadFailedException>(() => client.DownloadAsync(repo.Packages, repo.TargetDir));
        Assert.StartsWith($"{package.FullName}: pkg/{package.FullName}.squashfs: ", error.Message, StringComparison.Ordinal);
        Assert.EndsWith("(after 3 attempts)", error.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(repo.TargetDir));
    }

    [Fact]
    public async Task Cancellation_stops_downloads_and_leaves_nothing()
    {
        using var repo = TestRepository.Create(packages: 2, zst: false);
        using var server = new FaultyHttpServer(repo.WebRoot);
        foreach (var package in repo.Packages)
        {
            server.AddFault($"/repo/pkg/{package.FullName}.squashfs", new StallFault());
        }

        using var client = new RepositoryClient(repo.Options(server.UrlFor("repo")));
        await client.FetchIndexAsync();
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => client.DownloadAsync(repo.Packages, repo.TargetDir, null, cancel.Token));
        Assert.Empty(Directory.GetFiles(repo.TargetDir));
    }

    [Fact]
    public async Task A_server_sending_more_bytes_than_the_index_says_is_stopped()
    {
        using var repo = TestRepository.Create(packages: 1, zst: false);
        var package = repo.Packages[0];
        using var server = new FaultyHttpServer(repo.WebRoot);
        server.AddFault($"/repo/pkg/{package.FullName}.squashfs", new OversizeFault(ExtraBytes: 100_000), times: 10);
        using var client = new RepositoryClient(repo.Options(server.UrlFor("repo")));
        await client.FetchIndexAsync();

        var error = await Assert.ThrowsAsync<DownloadFailedException>(() => client.DownloadAsync(repo.Packages, repo.TargetDir));
        Assert.Equal($"{package.FullName}: pkg/{package.FullName}.squashfs: the server sent more than the {package.Size} bytes the index announces", error.Message);
        Assert.Empty(Directory.GetFiles(repo.TargetDir));
    }
}
