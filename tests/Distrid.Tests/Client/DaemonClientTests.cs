using Districtl.Cli;
using Districtl.Client;
using Distrid.Protocol;
using Distrid.Tests.Support;

namespace Distrid.Tests.Client;

/// <summary>districtl's own JSON-RPC client against the real daemon (its StreamJsonRpc server) and a real mirror.</summary>
public sealed class DaemonClientTests
{
    [Fact]
    public async Task Install_progress_reaches_the_callers_progress_and_a_refusal_is_the_daemons_one_line()
    {
        await using var system = MirroredSystem.TryCreate(mirror =>
        {
            mirror.Add("lib-amd64-1-1", new Dictionary<string, string> { ["lib/libtool.txt"] = new string('l', 200_000) });
            mirror.Add("tool-amd64-1.0-1", new Dictionary<string, string> { ["bin/tool"] = PackageFactory.Script("tool") }, "lib-amd64-1-1");
        });
        if (system is null)
        {
            return;
        }

        await system.StartDaemonAsync();
        await using var daemon = await DaemonConnection.ConnectAsync(system.Paths.Socket, CancellationToken.None);
        var reports = new List<ProgressInfo>();

        var result = await daemon.Api.InstallAsync(["tool"], progress: new Recorder(reports));

        Assert.Equal(["lib-amd64-1-1", "tool-amd64-1.0-1"], result.Added.Order());
        Assert.NotEmpty(reports);
        var downloads = reports.Where(r => r.Phase == "download" && r.Package is not null).ToList();
        Assert.Equal(["lib-amd64-1-1", "tool-amd64-1.0-1"], downloads.Select(r => r.Package!).Distinct().Order());
        var last = downloads[^1];
        Assert.True(last.TotalBytes > 0 && last.TotalBytesDone == last.TotalBytes, $"last download report: {last}");

        var refusal = await Assert.ThrowsAsync<RemoteRpcException>(() => daemon.Api.RemoveAsync(["lib"]));
        Assert.Equal(ErrorCodes.Needed, refusal.Code);
        Assert.Contains("lib-amd64-1-1 is needed by tool-amd64-1.0-1", UserError.Describe(refusal));
        Assert.DoesNotContain('\n', UserError.Describe(refusal));

        // The same connection still serves calls after an error reply.
        var status = await daemon.Api.StatusAsync();
        Assert.Equal(2, status.PackageCount);
    }

    [Fact]
    public async Task Ctrl_C_during_a_download_cancels_the_transaction_on_the_daemon_and_nothing_changes()
    {
        await using var system = MirroredSystem.TryCreate(mirror =>
            mirror.Add("tool-amd64-1.0-1", new Dictionary<string, string> { ["bin/tool"] = PackageFactory.Script("tool") }));
        if (system is null)
        {
            return;
        }

        // The same signed repository, served by a server that stalls the image downloads.
        using var stalling = new FaultyHttpServer(system.Mirror.Root);
        foreach (string path in new[] { "/repo/pkg/tool-amd64-1.0-1.squashfs", "/repo/pkg/tool-amd64-1.0-1.squashfs.zst" })
        {
            stalling.AddFault(path, new StallFault(), times: 10);
        }

        await using var daemon = await DaemonProcess.StartAsync(
            system.Paths, new Dictionary<string, string>(), "--repo", stalling.UrlFor("repo/").ToString(), "--trusted-keys", system.Mirror.TrustedKeys);
        using var districtl = Cli.Start("--socket", system.Paths.Socket, "install", "tool");
        try
        {
            // The daemon asking for the image means districtl sent its call long ago and waits (signals handled).
            using var patience = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            while (!stalling.Requests.Any(r => r.Path.StartsWith("/repo/pkg/", StringComparison.Ordinal)))
            {
                await Task.Delay(20, patience.Token);
            }

            Cli.Interrupt(districtl);
            string stderr = await districtl.StandardError.ReadToEndAsync(patience.Token);
            await districtl.WaitForExitAsync(patience.Token);

            // The daemon's word on a transaction it stopped before its commit, as one line.
            Assert.NotEqual(0, districtl.ExitCode);
            Assert.Equal("districtl: cancelled; nothing changed", stderr.Trim());
            Assert.False(File.Exists(Path.Combine(system.Paths.Mountpoint, "bin/tool")));
            await using var connection = await DaemonConnection.ConnectAsync(system.Paths.Socket, CancellationToken.None);
            Assert.Single(await connection.Api.GenerationsAsync());
        }
        finally
        {
            if (!districtl.HasExited)
            {
                districtl.Kill();
            }
        }
    }

    private sealed class Recorder(List<ProgressInfo> reports) : IProgress<ProgressInfo>
    {
        public void Report(ProgressInfo value)
        {
            lock (reports)
            {
                reports.Add(value);
            }
        }
    }
}
