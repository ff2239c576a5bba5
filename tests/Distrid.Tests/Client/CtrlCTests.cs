using System.Diagnostics;
using Distrid.Tests.Support;

namespace Distrid.Tests.Client;

/// <summary>Ctrl-C (SIGINT) of the real districtl process in the middle of a daemon call.</summary>
public sealed class CtrlCTests
{
    [Fact]
    public async Task Ctrl_C_sends_cancelRequest_for_the_call_and_exits_130_once_the_daemon_confirms()
    {
        await using var server = new ScriptedRpcServer();
        using var districtl = Cli.Start("--socket", server.SocketPath, "install", "tool");
        try
        {
            var request = await server.ReceiveAsync();
            long id = request.GetProperty("id").GetInt64();
            // At once: districtl handles the signal from before its action sends the call (TerminationSignals).
            Cli.Interrupt(districtl);

            var cancel = await server.ReceiveAsync();
            Assert.Equal("$/cancelRequest", cancel.GetProperty("method").GetString());
            Assert.Equal(id, cancel.GetProperty("params").GetProperty("id").GetInt64());
            await server.SendAsync($$$"""{"jsonrpc":"2.0","id":{{{id}}},"error":{"code":-32800,"message":"Canceled"}}""");

            var (exitCode, stderr) = await ExitOfAsync(districtl);
            Assert.Equal(130, exitCode);
            Assert.Equal("districtl: cancelled", stderr);
        }
        finally
        {
            KillIfRunning(districtl);
        }
    }

    [Fact]
    public async Task Without_the_daemons_answer_districtl_gives_up_after_the_wait_and_says_so()
    {
        await using var server = new ScriptedRpcServer();
        using var districtl = Cli.Start("--socket", server.SocketPath, "install", "tool");
        try
        {
            await server.ReceiveAsync();
            Cli.Interrupt(districtl);
            var cancel = await server.ReceiveAsync();
            Assert.Equal("$/cancelRequest", cancel.GetProperty("method").GetString());

            // The daemon never answers: districtl stops waiting after its 5 s and says why, with SIGINT's status.
            var (exitCode, stderr) = await ExitOfAsync(districtl);
            Assert.Equal(130, exitCode);
            Assert.Equal("districtl: cancelled; the daemon did not answer within 5 s", stderr);
        }
        finally
        {
            KillIfRunning(districtl);
        }
    }

    /// <summary>districtl's exit status and its standard error, trimmed, waiting at most 30 s.</summary>
    private static async Task<(int ExitCode, string Stderr)> ExitOfAsync(Process districtl)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        string stderr = await districtl.StandardError.ReadToEndAsync(timeout.Token);
        await districtl.WaitForExitAsync(timeout.Token);
        return (districtl.ExitCode, stderr.Trim());
    }

    private static void KillIfRunning(Process districtl)
    {
        if (!districtl.HasExited)
        {
            districtl.Kill();
        }
    }
}
