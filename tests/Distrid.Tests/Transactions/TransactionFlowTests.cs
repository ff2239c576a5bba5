using System.Diagnostics;
using System.Text.Json;
using Distrid.Tests.Support;

namespace Distrid.Tests.Transactions;

/// <summary>The user's main job against a real signed mirror served by nginx, through districtl and the real daemon.</summary>
public sealed class TransactionFlowTests
{
    private static Dictionary<string, string> Tool(int revision) => new()
    {
        ["bin/tool"] = PackageFactory.Script($"tool {revision}"),
        ["share/man/man1/tool.1"] = $"tool(1) revision {revision}",
    };

    private static readonly Dictionary<string, string> Lib = new() { ["lib/libtool.txt"] = "the library" };

    [Fact]
    public async Task Install_update_pin_rollback_remove_and_gc_against_a_real_mirror()
    {
        await using var system = CreateSystem();
        if (system is null)
        {
            return;
        }

        await system.StartDaemonAsync();
        var (mirror, paths) = (system.Mirror, system.Paths);
        string ro = paths.Mountpoint;
        async Task<Cli.Result> Run(params string[] args)
        {
            var result = await Cli.RunAsync(["--socket", paths.Socket, .. args]);
            Assert.True(result.ExitCode == 0, $"districtl {string.Join(' ', args)}: {result.Stderr}");
            return result;
        }

        var dry = JsonDocument.Parse((await Run("--json", "install", "tool", "--dry-run")).Stdout).RootElement;
        Assert.True(dry.GetProperty("dryRun").GetBoolean());
        Assert.Equal(["lib-amd64-1-1", "tool-amd64-1.0-1"], dry.GetProperty("added").EnumerateArray().Select(e => e.GetString()).Order());
        Assert.False(File.Exists(Path.Combine(ro, "bin/tool")));
        Assert.Empty(Directory.GetFiles(paths.Store, "*.squashfs"));

        await Run("install", "tool");
        Assert.Equal("tool 1", await RunProgramAsync(Path.Combine(ro, "bin/tool")));
        Assert.Equal("the library", await File.ReadAllTextAsync(Path.Combine(ro, "lib/libtool.txt")));

        mirror.Add("tool-amd64-1.0-2", Tool(2), "lib-amd64-1-1");
        mirror.Publish();
        await Run("update");
        Assert.Equal("tool 2", await RunProgramAsync(Path.Combine(ro, "bin/tool")));
        Assert.Equal("tool 1", await RunProgramAsync(Path.Combine(ro, "tool-amd64-1.0-1/bin/tool")));
        var again = JsonDocument.Parse((await Run("--json", "update")).Stdout).RootElement;
        Assert.False(again.GetProperty("changed").GetBoolean());

        await Run("pin", "tool", "tool-amd64-1.0-1");
        Assert.Equal("tool 1", await RunProgramAsync(Path.Combine(ro, "bin/tool")));
        Assert.False(JsonDocument.Parse((await Run("--json", "update")).Stdout).RootElement.GetProperty("changed").GetBoolean());
        await Run("unpin", "tool");
        await Run("update");
        Assert.Equal("tool 2", await RunProgramAsync(Path.Combine(ro, "bin/tool")));

        await Run("rollback");
        Assert.Equal("tool 1", await RunProgramAsync(Path.Combine(ro, "bin/tool")));
        await Run("rollback", "--dry-run");
        Assert.Equal("tool 1", await RunProgramAsync(Path.Combine(ro, "bin/tool")));

        await Run("remove", "tool");
        Assert.False(File.Exists(Path.Combine(ro, "bin/tool")));
        Assert.False(File.Exists(Path.Combine(ro, "lib/libtool.txt")));
        var installed = JsonDocument.Parse((await Run("--json", "list")).Stdout).RootElement;
        Assert.Equal(0, installed.GetArrayLength());
        Assert.True(Directory.Exists(Path.Combine(ro, "tool-amd64-1.0-1")));

        await Run("gc", "--keep", "1");
        Assert.False(Directory.Exists(Path.Combine(ro, "tool-amd64-1.0-1")));
        Assert.Empty(Directory.GetFiles(paths.Store, "*.squashfs"));
        var generations = JsonDocument.Parse((await Run("--json", "generations")).Stdout).RootElement;
        Assert.Single(generations.EnumerateArray(), g => g.GetProperty("current").GetBoolean());
    }

    [Fact]
    public async Task Unknown_packages_and_needed_packages_are_refused_in_one_line()
    {
        await using var system = CreateSystem();
        if (system is null)
        {
            return;
        }

        await system.StartDaemonAsync();
        var (mirror, paths) = (system.Mirror, system.Paths);

        var unknown = await Cli.RunAsync("--socket", paths.Socket, "install", "no-such-thing");
        Assert.NotEqual(0, unknown.ExitCode);
        Assert.Equal("districtl: no package 'no-such-thing' in the repositories or the store", unknown.Stderr.Trim());

        Assert.Equal(0, (await Cli.RunAsync("--socket", paths.Socket, "install", "tool")).ExitCode);
        var needed = await Cli.RunAsync("--socket", paths.Socket, "remove", "lib");
        Assert.NotEqual(0, needed.ExitCode);
        Assert.Contains("lib-amd64-1-1 is needed by tool-amd64-1.0-1", needed.Stderr);
        Assert.True(File.Exists(Path.Combine(paths.Mountpoint, "lib/libtool.txt")));
    }

    [Fact]
    public async Task A_tampered_index_or_image_changes_nothing_and_says_why_in_one_line()
    {
        await using var system = CreateSystem();
        if (system is null)
        {
            return;
        }

        await system.StartDaemonAsync();
        var (mirror, paths) = (system.Mirror, system.Paths);
        string generationsBefore = (await Cli.RunAsync("--socket", paths.Socket, "--json", "generations")).Stdout;

        // An image whose bytes no longer match the signed index (both transport forms).
        string image = Path.Combine(mirror.Repository, "pkg", "tool-amd64-1.0-1.squashfs");
        byte[] bytes = await File.ReadAllBytesAsync(image);
        bytes[^100] ^= 0xFF;
        await File.WriteAllBytesAsync(image, bytes);
        File.Delete(image + ".zst");
        var mismatch = await Cli.RunAsync("--socket", paths.Socket, "install", "tool");
        Assert.NotEqual(0, mismatch.ExitCode);
        Assert.Contains("sha256 mismatch", mismatch.Stderr);
        Assert.Single(mismatch.Stderr.Trim().Split('\n'));

        // An index that is not what the key signed.
        string index = Path.Combine(mirror.Repository, "index.json");
        await File.WriteAllTextAsync(index, (await File.ReadAllTextAsync(index)).Replace("test package", "evil package", StringComparison.Ordinal));
        // nginx's validators (ETag: mtime and size; Last-Modified) have a resolution of one second and "evil" is as
        // long as "test": rewritten within the second of the daemon's last fetch, the index would be answered 304 and
        // the install would go on with the verified one. A mirror's next index comes later; so does this one.
        File.SetLastWriteTimeUtc(index, File.GetLastWriteTimeUtc(index).AddSeconds(2));
        var badSignature = await Cli.RunAsync("--socket", paths.Socket, "install", "tool");
        Assert.NotEqual(0, badSignature.ExitCode);
        Assert.Contains("signature", badSignature.Stderr);

        Assert.Equal(generationsBefore, (await Cli.RunAsync("--socket", paths.Socket, "--json", "generations")).Stdout);
        // Verified downloads of the failed transaction (lib) may stay in the store for the retry; the bad one never lands.
        Assert.False(File.Exists(Path.Combine(paths.Store, "tool-amd64-1.0-1.squashfs")));
        Assert.Empty(Directory.GetFiles(paths.Store, ".*"));
        Assert.False(File.Exists(Path.Combine(paths.Mountpoint, "bin/tool")));
    }

    /// <summary>A mirror offering tool-1 (which needs lib-1), not yet started.</summary>
    private static MirroredSystem? CreateSystem() => MirroredSystem.TryCreate(mirror =>
    {
        mirror.Add("lib-amd64-1-1", Lib);
        mirror.Add("tool-amd64-1.0-1", Tool(1), "lib-amd64-1-1");
    });

    internal static async Task<string> RunProgramAsync(string program)
    {
        using var process = Process.Start(new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        string output = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.Equal(0, process.ExitCode);
        return output.Trim();
    }
}
