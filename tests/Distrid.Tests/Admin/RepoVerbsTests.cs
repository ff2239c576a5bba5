using System.Text.Json;
using Distrid.Tests.Support;

namespace Distrid.Tests.Admin;

/// <summary>
/// <c>districtl repo list|add|remove|enable|disable</c> against a real daemon and two nginx mirrors: what is offered
/// follows the repositories, the config file keeps its other settings and comments, installed generations never move,
/// and every refused <c>add</c> leaves the config, the trusted keys and the cached indexes byte for byte as they were.
/// </summary>
public sealed class RepoVerbsTests
{
    [Fact]
    public async Task Add_disable_enable_remove_change_what_is_offered_and_never_the_installed_generation()
    {
        await using var repos = await RepoSystem.StartAsync();
        if (repos is null)
        {
            return;
        }

        var listed = (await repos.JsonAsync("repo", "list")).EnumerateArray().ToList();
        var a = Assert.Single(listed);
        Assert.Equal(repos.UrlA, a.GetProperty("url").GetString());
        Assert.True(a.GetProperty("enabled").GetBoolean());
        Assert.Equal(5, a.GetProperty("packages").GetInt32());
        Assert.Equal(RepoSystem.FingerprintOf(repos.KeyA)[..16], a.GetProperty("key").GetString());
        Assert.True(a.TryGetProperty("lastRefresh", out _));

        string fingerprint = RepoSystem.FingerprintOf(repos.KeyB);
        var added = await repos.JsonAsync("repo", "add", repos.UrlB, "--key", repos.KeyB, "--fingerprint", fingerprint);
        Assert.Equal(repos.UrlB, added.GetProperty("url").GetString());
        Assert.Equal(2, added.GetProperty("packages").GetInt32());
        Assert.Equal(fingerprint, added.GetProperty("fingerprint").GetString());
        Assert.Equal(fingerprint[..16], added.GetProperty("key").GetString());
        Assert.True(File.Exists(Path.Combine(repos.A.TrustedKeys, $"repo-{fingerprint[..16]}.pub")));
        string config = await File.ReadAllTextAsync(repos.System.Paths.Config);
        Assert.Contains("written by the test: repositories come from here", config);
        Assert.Contains("\"downloadParallelism\": 3", config);
        Assert.Equal([repos.UrlA, repos.UrlB], Repos(config, "repos"));

        // The plain listing: one line per repository with its state.
        string table = (await repos.RunAsync("repo", "list")).Stdout;
        Assert.Contains(repos.UrlB, table);
        Assert.Contains(fingerprint[..16], table);

        // Bash completes the subcommands and, for remove/enable/disable, the configured URLs.
        if (Requirements.Tool("/usr/bin/bash"))
        {
            Assert.Equal(["add", "build", "disable", "enable", "import-apt", "list", "remove"], await CompleteAsync(repos, "districtl", "repo", ""));
            Assert.Equal(new[] { repos.UrlA, repos.UrlB }.Order(StringComparer.Ordinal), await CompleteAsync(repos, "districtl", "repo", "disable", "http"));
            Assert.Equal(["--fingerprint"], await CompleteAsync(repos, "districtl", "repo", "add", repos.UrlB, "--f"));
        }

        // B's packages install beside A's.
        await repos.RunAsync("install", "app", "bee");
        var generation = (await repos.JsonAsync("status")).GetProperty("generation").GetInt32();
        string bee = Path.Combine(repos.System.Paths.Mountpoint, "bin", "bee");
        Assert.Contains("bee 1", await File.ReadAllTextAsync(bee));
        Assert.Contains("wasp-amd64-1-1", Available(await repos.JsonAsync("list", "--available")));

        // Disabled: still configured, its packages no longer offered; what is installed stays installed.
        var disabled = await repos.JsonAsync("repo", "disable", repos.UrlB);
        Assert.False(disabled.GetProperty("enabled").GetBoolean());
        config = await File.ReadAllTextAsync(repos.System.Paths.Config);
        Assert.Equal([repos.UrlA], Repos(config, "repos"));
        Assert.Equal([repos.UrlB], Repos(config, "disabledRepos"));
        Assert.DoesNotContain("wasp-amd64-1-1", Available(await repos.JsonAsync("list", "--available")));
        Assert.Contains("no package 'wasp'", await repos.FailsAsync("install", "wasp"));
        Assert.False((await repos.JsonAsync("repo", "list")).EnumerateArray().Single(r => r.GetProperty("url").GetString() == repos.UrlB).GetProperty("enabled").GetBoolean());
        Assert.Equal(generation, (await repos.JsonAsync("status")).GetProperty("generation").GetInt32());
        Assert.Contains("bee 1", await File.ReadAllTextAsync(bee));

        // Enabled again: offered again.
        Assert.True((await repos.JsonAsync("repo", "enable", repos.UrlB)).GetProperty("enabled").GetBoolean());
        Assert.Contains("wasp-amd64-1-1", Available(await repos.JsonAsync("list", "--available")));
        Assert.Equal([repos.UrlA, repos.UrlB], Repos(await File.ReadAllTextAsync(repos.System.Paths.Config), "repos"));

        // Removed: forgotten, its packages no longer offered; the current generation and its /ro content stay.
        await repos.RunAsync("repo", "remove", repos.UrlB);
        Assert.Equal([repos.UrlA], (await repos.JsonAsync("repo", "list")).EnumerateArray().Select(r => r.GetProperty("url").GetString()!).ToArray());
        config = await File.ReadAllTextAsync(repos.System.Paths.Config);
        Assert.Equal([repos.UrlA], Repos(config, "repos"));
        Assert.Empty(Repos(config, "disabledRepos"));
        Assert.Contains("written by the test: repositories come from here", config);
        Assert.DoesNotContain("wasp-amd64-1-1", Available(await repos.JsonAsync("list", "--available")));
        Assert.Equal(generation, (await repos.JsonAsync("status")).GetProperty("generation").GetInt32());
        Assert.Contains("bee 1", await File.ReadAllTextAsync(bee));
        Assert.Contains("bee 1", await File.ReadAllTextAsync(Path.Combine(repos.System.Paths.Mountpoint, "bee-amd64-1-1", "bin", "bee")));
        Assert.Contains("bee-amd64-1-1", (await repos.JsonAsync("list")).EnumerateArray().Select(p => p.GetProperty("fullName").GetString()));

        // Nothing left to remove or enable: one line each.
        Assert.Contains("is not configured", await repos.FailsAsync("repo", "remove", repos.UrlB));
        Assert.Contains("is not configured", await repos.FailsAsync("repo", "enable", repos.UrlB));
        Assert.Contains("already configured", await repos.FailsAsync("repo", "add", repos.UrlA));
    }

    [Fact]
    public async Task A_wrong_key_a_dead_url_an_index_signed_by_another_key_or_altered_change_nothing()
    {
        await using var repos = await RepoSystem.StartAsync();
        if (repos is null)
        {
            return;
        }

        string before = repos.Snapshot();
        var listBefore = (await repos.RunAsync("--json", "repo", "list")).Stdout;

        // A key that did not sign B's index (A's own key, confirmed): refused, and A's key file is not duplicated.
        string wrongKey = await repos.FailsAsync("repo", "add", repos.UrlB, "--key", repos.KeyA, "--fingerprint", RepoSystem.FingerprintOf(repos.KeyA));
        Assert.Contains("signed by unknown key", wrongKey);
        Assert.Contains("not changed", wrongKey);
        Assert.Equal(before, repos.Snapshot());

        // A port nobody listens on.
        string dead = $"http://127.0.0.1:{RepoSystem.DeadPort()}/repo/";
        string refused = await repos.FailsAsync("repo", "add", dead);
        Assert.Contains("127.0.0.1", refused);
        Assert.Contains("not changed", refused);
        Assert.Equal(before, repos.Snapshot());

        // B's index is signed by B's key, which the daemon does not trust, and no key is given.
        string untrusted = await repos.FailsAsync("repo", "add", repos.UrlB);
        Assert.Contains("signed by unknown key", untrusted);
        Assert.Equal(before, repos.Snapshot());

        // A key whose confirmation does not match it: refused before anything is fetched.
        string mismatch = await repos.FailsAsync("repo", "add", repos.UrlB, "--key", repos.KeyB, "--fingerprint", new string('0', 64));
        Assert.Contains("fingerprint", mismatch);
        Assert.Equal(before, repos.Snapshot());

        // Not a key at all.
        string garbage = Path.Combine(repos.System.Paths.Root, "garbage.pub");
        await File.WriteAllTextAsync(garbage, "not a key\n");
        Assert.Contains("not a PEM", await repos.FailsAsync("repo", "add", repos.UrlB, "--key", garbage, "--fingerprint", new string('0', 64)));
        Assert.Equal(before, repos.Snapshot());

        // B's index altered after it was signed: the right key, a bad signature.
        await File.AppendAllTextAsync(Path.Combine(repos.B.Repository, "index.json"), " ");
        string altered = await repos.FailsAsync("repo", "add", repos.UrlB, "--key", repos.KeyB, "--fingerprint", RepoSystem.FingerprintOf(repos.KeyB));
        Assert.Contains("bad signature", altered);
        Assert.Equal(before, repos.Snapshot());

        // Not a URL the daemon will fetch.
        Assert.Contains("not a repository URL", await repos.FailsAsync("repo", "add", "file:///etc/"));
        Assert.Equal(before, repos.Snapshot());

        Assert.Equal(listBefore, (await repos.RunAsync("--json", "repo", "list")).Stdout);
        Assert.DoesNotContain("bee-amd64-1-1", Available(await repos.JsonAsync("list", "--available")));
    }

    [Fact]
    public async Task A_config_file_that_no_longer_parses_is_never_replaced()
    {
        await using var repos = await RepoSystem.StartAsync();
        if (repos is null)
        {
            return;
        }

        const string broken = "{ \"repos\": [ \"http://127.0.0.1:1/\" ";
        await File.WriteAllTextAsync(repos.System.Paths.Config, broken);
        string line = await repos.FailsAsync("repo", "add", repos.UrlB, "--key", repos.KeyB, "--fingerprint", RepoSystem.FingerprintOf(repos.KeyB));
        Assert.Contains(repos.System.Paths.Config, line);
        Assert.Equal(broken, await File.ReadAllTextAsync(repos.System.Paths.Config));
        Assert.False(File.Exists(Path.Combine(repos.A.TrustedKeys, $"repo-{RepoSystem.FingerprintOf(repos.KeyB)[..16]}.pub")));
        Assert.Single((await repos.JsonAsync("repo", "list")).EnumerateArray());
    }

    [Fact]
    public async Task A_daemon_whose_repositories_come_from_repo_flags_refuses_changes_with_one_line()
    {
        await using var system = AdminSystem.Create();
        if (system is null)
        {
            return;
        }

        await system.StartDaemonAsync();
        string config = await File.ReadAllTextAsync(system.Paths.Config);
        Assert.Contains("--repo", await system.FailsAsync("repo", "disable", system.Mirror.Url.AbsoluteUri));
        Assert.Equal(config, await File.ReadAllTextAsync(system.Paths.Config));
        Assert.Single((await system.JsonAsync("repo", "list")).EnumerateArray());
    }

    [Fact]
    public async Task At_a_terminal_add_shows_the_fingerprint_and_trusts_the_key_only_after_yes()
    {
        if (!Requirements.Tool("/usr/bin/script"))
        {
            return;
        }

        await using var repos = await RepoSystem.StartAsync();
        if (repos is null)
        {
            return;
        }

        string before = repos.Snapshot();
        string fingerprint = RepoSystem.FingerprintOf(repos.KeyB);
        var declined = await AtTerminalAsync(repos, "n\n");
        Assert.NotEqual(0, declined.ExitCode);
        Assert.Contains(string.Join(' ', fingerprint.Chunk(4).Select(c => new string(c))), declined.Output);
        Assert.Contains("[y/N]", declined.Output);
        Assert.Contains("key not trusted; nothing changed", declined.Output);
        Assert.Equal(before, repos.Snapshot());

        var accepted = await AtTerminalAsync(repos, "y\n");
        Assert.True(accepted.ExitCode == 0, accepted.Output);
        Assert.Contains($"trusted key {fingerprint}", accepted.Output);
        Assert.Equal(2, (await repos.JsonAsync("repo", "list")).GetArrayLength());
    }

    /// <summary>What packaging/completions/districtl.bash offers for <paramref name="words"/> (the last one is being completed).</summary>
    private static async Task<string[]> CompleteAsync(RepoSystem repos, params string[] words)
    {
        using var bin = new TempDirectory();
        string wrapper = Path.Combine(bin.Path, "districtl");
        await File.WriteAllTextAsync(wrapper, $"#!/bin/sh\nexec dotnet '{Path.Combine(AppContext.BaseDirectory, "districtl.dll")}' \"$@\"\n");
        File.SetUnixFileMode(wrapper, (UnixFileMode)0b111_101_101);
        var psi = new System.Diagnostics.ProcessStartInfo("/usr/bin/bash") { RedirectStandardOutput = true, RedirectStandardError = true };
        psi.Environment["PATH"] = bin.Path + ":" + Environment.GetEnvironmentVariable("PATH");
        psi.Environment["DISTRID_SOCKET"] = repos.System.Paths.Socket;
        string script = Packaging.RepositoryFiles.PathOf("packaging/completions/districtl.bash");
        string quoted = string.Join(' ', words.Select(w => "'" + w + "'"));
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add($"source '{script}'; COMP_WORDS=({quoted}); COMP_CWORD={words.Length - 1}; _districtl; printf '%s\\n' \"${{COMPREPLY[@]}}\"");
        using var bash = System.Diagnostics.Process.Start(psi)!;
        string output = await bash.StandardOutput.ReadToEndAsync();
        await bash.WaitForExitAsync();
        Assert.True(bash.ExitCode == 0, await bash.StandardError.ReadToEndAsync());
        return [.. output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Order(StringComparer.Ordinal)];
    }

    /// <summary>districtl repo add --key under script(1), so that its standard input is a terminal; <paramref name="typed"/> is the answer.</summary>
    private static async Task<(int ExitCode, string Output)> AtTerminalAsync(RepoSystem repos, string typed)
    {
        string districtl = $"dotnet {Path.Combine(AppContext.BaseDirectory, "districtl.dll")} --socket {repos.System.Paths.Socket} repo add {repos.UrlB} --key {repos.KeyB}";
        var psi = new System.Diagnostics.ProcessStartInfo("/usr/bin/script")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            ArgumentList = { "--quiet", "--return", "--command", districtl, "/dev/null" },
        };
        using var script = System.Diagnostics.Process.Start(psi)!;
        var output = script.StandardOutput.ReadToEndAsync();
        var errors = script.StandardError.ReadToEndAsync();
        await script.StandardInput.WriteAsync(typed);
        await script.StandardInput.FlushAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await script.WaitForExitAsync(timeout.Token);
        return (script.ExitCode, await output + await errors);
    }

    private static string[] Repos(string config, string key)
    {
        using var document = JsonDocument.Parse(config, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        return document.RootElement.TryGetProperty(key, out var list) ? list.Strings() : [];
    }

    private static string[] Available(JsonElement list) => [.. list.EnumerateArray().Select(p => p.GetProperty("fullName").GetString()!)];
}
