using System.Diagnostics;

namespace Distrid.Tests.Fuse;

/// <summary>Runs a command-line tool and captures its output (the tests use real tools as oracles).</summary>
internal static class ToolRunner
{
    public sealed record Result(int ExitCode, string StandardOutput, string StandardError);

    public static Result Run(string program, params string[] arguments)
    {
        var start = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using Process process = Process.Start(start) ?? throw new InvalidOperationException($"cannot start {program}");
        Task<string> error = process.StandardError.ReadToEndAsync();
        string output = process.StandardOutput.ReadToEnd();
        if (!process.WaitForExit(TimeSpan.FromSeconds(60)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{program} did not finish in 60 s");
        }

        return new Result(process.ExitCode, output, error.GetAwaiter().GetResult());
    }

    /// <summary>Runs a shell command line.</summary>
    public static Result Shell(string commandLine) => Run("/bin/sh", "-c", commandLine);
}
