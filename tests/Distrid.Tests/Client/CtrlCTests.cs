using System.Diagnostics;

namespace Distrid.Tests.Client;

/// <summary>Ctrl-C (SIGINT) of the real districtl process in the middle of a daemon call.</summary>
public sealed class CtrlCTests
{
    [Fact]
    public async Task Ctrl_C_sends_cancelRequest_for_the_call_and_exits_130_once_the_daemon_confirms()
    {
        await using var server = new ScriptedRpcServer();
        using var districtl = StartDistrictl("--socket", server.SocketPath, "install", "tool");
        try
        {
            var request = await server.ReceiveAsync();
            long id = request.GetProperty("id").GetInt64();
            // The request leaves before System.CommandLine registers its signal handler (right after the verb's
            // first wait); nothing outside the process shows that moment, so allow it plenty of time.
            await Task.Delay(TimeSpan.FromSeconds(1));
            SendSigint(districtl.Id);

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

    /// <summary>
    /// districtl as <see cref="Support.Cli"/> runs it, with SIGINT at its default disposition: a test host started in
    /// the background would otherwise pass SIGINT on ignored, and the runtime keeps an inherited "ignore".
    /// </summary>
    private static Process StartDistrictl(params string[] args)
    {
        var psi = new ProcessStartInfo("env") { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        psi.ArgumentList.Add("--default-signal=INT");
        string? executable = Environment.GetEnvironmentVariable("DISTRICTL_EXE");
        if (string.IsNullOrEmpty(executable))
        {
            psi.ArgumentList.Add("dotnet");
            psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "districtl.dll"));
        }
        else
        {
            psi.ArgumentList.Add(executable);
        }

        foreach (string arg in args)
        {
            psi.ArgumentList.Add(arg);
        }

        return Process.Start(psi)!;
    }

    private static void SendSigint(int pid)
    {
        using var kill = Process.Start(new ProcessStartInfo("kill") { ArgumentList = { "-INT", pid.ToString(System.Globalization.CultureInfo.InvariantCulture) } })!;
        kill.WaitForExit();
        Assert.Equal(0, kill.ExitCode);
    }
}
