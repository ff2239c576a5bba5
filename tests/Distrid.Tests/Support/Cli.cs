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
        string? executable = Environment.GetEnvironmentVariable("DISTRICTL_EXE");
        var psi = new ProcessStartInfo(string.IsNullOrEmpty(executable) ? "dotnet" : executable)
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        if (string.IsNullOrEmpty(executable))
        {
            psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "districtl.dll"));
        }

        foreach (string arg in args)
        {
            psi.ArgumentList.Add(arg);
        }

        using var process = Process.Start(psi)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        await process.WaitForExitAsync(timeout.Token);
        return new Result(process.ExitCode, await stdout, await stderr);
    }
}
