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
