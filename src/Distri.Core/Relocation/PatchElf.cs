using System.Diagnostics;

namespace Distri.Core.Relocation;

/// <summary>
/// Writes ELF changes with Debian's <c>patchelf</c> (a well-kept tool; we only read ELF ourselves). patchelf is
/// deterministic: the same input and arguments give the same bytes.
/// </summary>
internal static class PatchElf
{
    public const string Program = "patchelf";

    /// <summary>Sets the interpreter and/or the RUNPATH of the file at <paramref name="path"/> in place; an error message, or null.</summary>
    public static string? Patch(string path, string? interpreter, string? runPath)
    {
        var start = new ProcessStartInfo(Program)
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        if (interpreter is not null)
        {
            start.ArgumentList.Add("--set-interpreter");
            start.ArgumentList.Add(interpreter);
        }

        if (runPath is not null)
        {
            start.ArgumentList.Add("--set-rpath");
            start.ArgumentList.Add(runPath);
        }

        start.ArgumentList.Add(path);
        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException("patchelf did not start");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new IOException($"cannot run {Program} (install the Debian package patchelf): {e.Message}", e);
        }

        using (process)
        {
            var stdout = process.StandardOutput.ReadToEndAsync();
            string stderr = process.StandardError.ReadToEnd();
            process.WaitForExit();
            _ = stdout.Result;
            return process.ExitCode == 0 ? null : $"patchelf failed ({process.ExitCode}): {stderr.Trim().Split('\n')[0]}";
        }
    }
}
