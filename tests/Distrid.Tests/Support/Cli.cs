using System.Diagnostics;

namespace Distrid.Tests.Support;

/// <summary>
/// Runs the real <c>districtl</c> (as built beside the tests, or the executable $DISTRICTL_EXE names, e.g. a Native
/// AOT publish) and captures its output.
/// </summary>
public static class Cli
{
    public sealed record Result(int ExitCode, string Stdout, string Stderr);

    public static async Task<Result> RunAsync(params string[] args)
    {
        using var process = Start(args);
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        await process.WaitForExitAsync(timeout.Token);
        return new Result(process.ExitCode, await stdout, await stderr);
    }

    /// <summary>
    /// Starts districtl with its output redirected and SIGINT at its default disposition (a test host started in the
    /// background would otherwise pass SIGINT on ignored, and the runtime keeps an inherited "ignore").
    /// </summary>
    public static Process Start(params string[] args)
    {
        var psi = new ProcessStartInfo("env")
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
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

    /// <summary>Ctrl-C: SIGINT to a process <see cref="Start"/> started.</summary>
    public static void Interrupt(Process process)
    {
        using var kill = Process.Start(new ProcessStartInfo("kill") { ArgumentList = { "-INT", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture) } })!;
        kill.WaitForExit();
        Assert.Equal(0, kill.ExitCode);
    }
}
