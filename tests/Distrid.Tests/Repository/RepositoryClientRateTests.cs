using System.Diagnostics;
using Distrid.Repository;
using Distrid.Tests.Support;

namespace Distrid.Tests.Repository;

/// <summary>
/// The minimum transfer rate over a sliding window (a trickling mirror fails, a slow honest one does not) and queries
/// that answer from the last verified index while a refresh is stuck on the mirror.
/// </summary>
public sealed class RepositoryClientRateTests
{
    private static readonly TimeSpan Window = TimeSpan.FromSeconds(1);

    [Fact]
    public async Task A_body_trickling_at_one_byte_a_second_fails_in_one_line_within_the_documented_bound()
    {
        using var repo = TestRepository.Create(packages: 1, zst: false);
        var victim = repo.Packages[0];
        using var server = new FaultyHttpServer(repo.WebRoot);
        server.AddFault($"/repo/pkg/{victim.FullName}.squashfs", new TrickleFault(1), times: 10);
        var options = repo.Options(server.UrlFor("repo")) with
        {
            MinimumTransferRate = 1024,
            TransferRateWindow = Window,
            StallTimeout = TimeSpan.FromSeconds(30),
            Retries = 1,
        };
        using var client = new RepositoryClient(options);
        await client.FetchIndexAsync();
        var before = repo.Snapshot();

        var clock = Stopwatch.StartNew();
        var error = await Assert.ThrowsAsync<DownloadFailedException>(() => client.DownloadAsync(repo.Packages, repo.TargetDir));
        var elapsed = clock.Elapsed;

        Assert.Matches(
            $@"^{victim.FullName}: pkg/{victim.FullName}\.squashfs: too slow: \d+(\.\d)? B/s over 1 s, below the minimum 1 KiB/s \(after 2 attempts\)$",
            error.Message);
        Assert.Equal(before, repo.Snapshot());

        // The documented bound: (Retries + 1) attempts of one window each (plus one sampling tick, a tenth of the window)
        // and the retry delays; 5 s of slack for a loaded machine. A stall guard alone (30 s) would never end it.
        var bound = ((options.Retries + 1) * (Window + (Window / 10))) + TimeSpan.FromSeconds(5);
        Assert.InRange(elapsed, Window, bound);
    }

    [Fact]
    public async Task A_slow_transfer_above_the_minimum_completes_even_when_it_takes_several_windows()
    {
        using var repo = TestRepository.Create(packages: 1, size: 128 * 1024, zst: false);
        var package = repo.Packages[0];
        using var server = new FaultyHttpServer(repo.WebRoot);
        server.AddFault($"/repo/pkg/{package.FullName}.squashfs", new TrickleFault(64 * 1024));
        using var client = new RepositoryClient(repo.Options(server.UrlFor("repo")) with
        {
            MinimumTransferRate = 8 * 1024,
            TransferRateWindow = TimeSpan.FromMilliseconds(500),
            Retries = 0,
        });
        await client.FetchIndexAsync();

        var clock = Stopwatch.StartNew();
        await client.DownloadAsync(repo.Packages, repo.TargetDir);

        // Not a total time limit: two seconds of transfer is four windows, each well above the minimum.
        Assert.True(clock.Elapsed > TimeSpan.FromSeconds(1), $"the trickle took {clock.Elapsed}");
        Assert.Equal(package.Sha256, TestRepository.Sha256Of(Path.Combine(repo.TargetDir, package.FullName + ".squashfs")));
        Assert.Single(server.Requests, r => r.Path.EndsWith(".squashfs", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_query_gets_the_last_verified_index_at_once_while_a_refresh_trickles()
    {
        using var repo = TestRepository.Create(packages: 2);
        using var server = new FaultyHttpServer(repo.WebRoot);
        using var client = new RepositoryClient(repo.Options(server.UrlFor("repo")) with
        {
            // Every query finds the index stale and asks for a background refresh; none may wait for one.
            IndexMaxAge = TimeSpan.Zero,
            StallTimeout = TimeSpan.FromSeconds(30),
        });
        var verified = await client.FetchIndexAsync();

        server.AddFault("/repo/index.json", new TrickleFault(1), times: 10);
        using var stop = new CancellationTokenSource();
        var refresh = client.FetchIndexAsync(stop.Token);
        await server.WaitForRequestAsync("/repo/index.json", count: 2);

        // The refresh holds the fetch lock and the mirror trickles: the query must not wait for either.
        var query = client.LatestVerifiedAsync();
        Assert.True(query.IsCompletedSuccessfully, "the query waited for the refresh");
        Assert.Same(verified.Index, (await query).Index);
        Assert.False(refresh.IsCompleted);

        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => refresh);
    }
}
