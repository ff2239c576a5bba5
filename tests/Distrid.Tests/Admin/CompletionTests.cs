using System.Diagnostics;
using System.Text.RegularExpressions;
using Districtl.Cli;
using Distrid.Tests.Packaging;
using Distrid.Tests.Support;

namespace Distrid.Tests.Admin;

/// <summary>
/// The shell completions the .deb installs: they offer exactly districtl's verbs, and package names from the running
/// daemon (installed ones for remove, what the mirror offers for install), run in a real bash.
/// </summary>
public sealed partial class CompletionTests
{
    private static readonly string Bash = RepositoryFiles.PathOf("packaging/completions/districtl.bash");
    private static readonly string Zsh = RepositoryFiles.PathOf("packaging/completions/_districtl");

    [Fact]
    public void Both_scripts_offer_exactly_the_verbs_districtl_has()
    {
        string[] verbs = [.. CliApplication.BuildRootCommand().Subcommands.Select(c => c.Name).Order(StringComparer.Ordinal)];
        Assert.Contains("verify", verbs);
        Assert.Equal(verbs, BashVerbs().Match(File.ReadAllText(Bash)).Groups[1].Value.Split(' ').Order(StringComparer.Ordinal));
        Assert.Equal(verbs, ZshVerbs().Match(File.ReadAllText(Zsh)).Groups[1].Value.Split(' ').Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Bash_completes_verbs_options_and_installed_and_available_names_from_the_daemon()
    {
        if (!Requirements.Tool("/usr/bin/bash"))
        {
            return;
        }

        await using var system = AdminSystem.Create();
        if (system is null)
        {
            return;
        }

        await system.StartDaemonAsync();
        await system.RunAsync("install", "app");
        using var bin = new TempDirectory();
        string wrapper = Path.Combine(bin.Path, "districtl");
        await File.WriteAllTextAsync(wrapper, $"#!/bin/sh\nexec dotnet '{Path.Combine(AppContext.BaseDirectory, "districtl.dll")}' \"$@\"\n");
        File.SetUnixFileMode(wrapper, (UnixFileMode)0b111_101_101);

        async Task<string[]> Complete(params string[] words)
        {
            var psi = new ProcessStartInfo("/usr/bin/bash") { RedirectStandardOutput = true, RedirectStandardError = true };
            psi.Environment["PATH"] = bin.Path + ":" + Environment.GetEnvironmentVariable("PATH");
            psi.Environment["DISTRID_SOCKET"] = system.Paths.Socket;
            string quoted = string.Join(' ', words.Select(w => "'" + w + "'"));
            psi.ArgumentList.Add("-c");
            psi.ArgumentList.Add($"source '{Bash}'; COMP_WORDS=({quoted}); COMP_CWORD={words.Length - 1}; _districtl; printf '%s\\n' \"${{COMPREPLY[@]}}\"");
            using var bash = Process.Start(psi)!;
            string output = await bash.StandardOutput.ReadToEndAsync();
            await bash.WaitForExitAsync();
            Assert.True(bash.ExitCode == 0, await bash.StandardError.ReadToEndAsync());
            return [.. output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Order(StringComparer.Ordinal)];
        }

        Assert.Equal(["verify"], await Complete("districtl", "v"));
        Assert.Equal(["why"], await Complete("districtl", "wh"));
        Assert.Equal(["--detach", "--dry-run"], await Complete("districtl", "install", "--d"));
        Assert.Equal(["--reinstall"], await Complete("districtl", "install", "--r"));
        Assert.Equal(["app", "app-amd64-1-1"], await Complete("districtl", "remove", "ap"));
        Assert.Equal(["extra", "extra-amd64-1-1"], await Complete("districtl", "install", "ex"));
        Assert.Empty(await Complete("districtl", "remove", "ex"));
        Assert.Equal(["mid", "mid-amd64-1-1"], await Complete("districtl", "--socket", system.Paths.Socket, "why", "m"));
    }

    [GeneratedRegex("local verbs=\"([^\"]+)\"")]
    private static partial Regex BashVerbs();

    [GeneratedRegex(@"verbs=\(([^)]+)\)")]
    private static partial Regex ZshVerbs();
}
