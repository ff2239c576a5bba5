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

            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            string stderr = await districtl.StandardError.ReadToEndAsync(timeout.Token);
            await districtl.WaitForExitAsync(timeout.Token);
            Assert.Equal(130, districtl.ExitCode);
            Assert.Equal("districtl: cancelled", stderr.Trim());
        }
        finally
        {
            if (!districtl.HasExited)
            {
                districtl.Kill();
            }
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
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            string stderr = await districtl.StandardError.ReadToEndAsync(timeout.Token);
            await districtl.WaitForExitAsync(timeout.Token);
            Assert.Equal(130, districtl.ExitCode);
            Assert.Equal("districtl: cancelled; the daemon did not answer within 5 s", stderr.Trim());
        }
        finally
        {
            if (!districtl.HasExited)
            {
                districtl.Kill();
            }
        }
    }
}
