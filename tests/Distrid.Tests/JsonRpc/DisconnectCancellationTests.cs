using Distrid.Tests.Repository;
using Distrid.Tests.Support;

namespace Distrid.Tests.JsonRpc;

/// <summary>When a client's connection closes, the CancellationToken of each of its calls in flight fires.</summary>
public sealed class DisconnectCancellationTests
{
    [Fact]
    public async Task Closing_the_connection_cancels_the_install_it_started()
    {
        if (!Requirements.RootWithFuse())
        {
            return;
        }

        using var repo = TestRepository.Create(packages: 1, zst: false);
        var package = repo.Packages[0];
        using var mirror = new FaultyHttpServer(repo.WebRoot);
        string image = $"/repo/pkg/{package.FullName}.squashfs";
        mirror.AddFault(image, new StallFault(), times: 10);
        using var dir = new TempDirectory();
        var paths = new DaemonPaths(dir.Path);
        var daemon = await DaemonProcess.StartAsync(paths, "--repo", mirror.UrlFor("repo").ToString(), "--trusted-keys", repo.TrustedDir);
        try
        {
            using (var client = RawRpcConnection.Connect(paths.Socket))
            {
                await client.SendLineAsync($$$"""{"jsonrpc":"2.0","id":1,"method":"install","params":{"packages":["{{{package.FullName}}}"]}}""");
                await WaitUntilAsync(() => mirror.Requests.Any(r => r.Path == image), "the download never started");
                Assert.NotNull(await RunningTransactionAsync(paths.Socket));
            }

            // The client is gone: its call's token fires (logged by the front end) and the transaction stops.
            await daemon.WaitForLogAsync("install call of pid");
            Assert.Contains("cancelled: its client cancelled it or disconnected", daemon.Stderr);
            await WaitUntilAsync(async () => await RunningTransactionAsync(paths.Socket) is null, "the transaction kept running without its client");
        }
        finally
        {
            await daemon.StopAsync();
            await daemon.DisposeAsync();
        }
    }

    private static async Task<string?> RunningTransactionAsync(string socket)
    {
        using var connection = RawRpcConnection.Connect(socket);
        var status = await connection.CallAsync("""{"jsonrpc":"2.0","id":1,"method":"status"}""");
        return status.GetProperty("result").TryGetProperty("transaction", out var transaction) ? transaction.GetString() : null;
    }

    private static Task WaitUntilAsync(Func<bool> condition, string failure) => WaitUntilAsync(() => Task.FromResult(condition()), failure);

    /// <summary>Checks <paramref name="condition"/> until it holds; the mirror and the status have no event to wait for.</summary>
    private static async Task WaitUntilAsync(Func<Task<bool>> condition, string failure)
    {
        // Well below the mirror stall guard (30 s), which would also end the transaction.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, failure);
            await Task.Delay(TimeSpan.FromMilliseconds(50));
        }
    }
}
