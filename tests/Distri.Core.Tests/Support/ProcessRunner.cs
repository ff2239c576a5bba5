using System.Diagnostics;

namespace Distri.Core.Tests.Support;

/// <summary>Runs an external tool (mksquashfs, unsquashfs, mount ...) and fails the test clearly when it fails.</summary>
public static class ProcessRunner
{
    public sealed record Result(int ExitCode, string StandardOutput, string StandardError);

    /// <summary>Runs <paramref name="fileName"/> and returns its output; throws when it cannot start, times out, or
    /// exits non-zero, with the command line and its stderr in the message.</summary>
    public static Result Run(string fileName, IEnumerable<string> arguments, TimeSpan? timeout = null, bool allowFailure = false)
    {
        var info = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        string commandLine = fileName + " " + string.Join(' ', info.ArgumentList);
        using Process process = Process.Start(info) ?? throw new InvalidOperationException($"could not start {commandLine}");
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout ?? TimeSpan.FromMinutes(2)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{commandLine} did not finish in time");
        }

        process.WaitForExit();
        var result = new Result(process.ExitCode, stdout.Result, stderr.Result);
        if (result.ExitCode != 0 && !allowFailure)
        {
            throw new InvalidOperationException($"{commandLine} exited with {result.ExitCode}:\n{result.StandardError}\n{result.StandardOutput}");
        }

        return result;
    }

    public static Result Run(string fileName, params string[] arguments) => Run(fileName, arguments, null);

    /// <summary>Runs <paramref name="fileName"/> and returns its standard output (fails as <see cref="Run(string, IEnumerable{string}, TimeSpan?, bool)"/>).</summary>
    public static string Output(string fileName, params string[] arguments) => Run(fileName, arguments, null).StandardOutput;

    /// <summary>True when <paramref name="tool"/> is on PATH or in the sbin directories a non-login root shell may
    /// lack on PATH (mount, umount).</summary>
    public static bool IsAvailable(string tool) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Append("/usr/sbin")
            .Append("/sbin")
            .Any(directory => File.Exists(Path.Combine(directory, tool)));
}
