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
            // The request leaves before System.CommandLine registers its signal handler (right after the verb's
            // first wait); nothing outside the process shows that moment, so allow it plenty of time.
            await Task.Delay(TimeSpan.FromSeconds(1));
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
}
