using System.Security.Cryptography;
using System.Text.Json;
using Distrid.Tests.Support;

namespace Distrid.Tests.Transactions;

/// <summary>
/// An install starts fetching what the daemon's last verified index plans while the index's conditional GET is on the
/// wire. Against a real signed mirror: when the fresh index plans the same images the early download is the
/// install's; when the mirror changed what the package needs, the install ends with exactly what the fresh index
/// says, every image in the store matches its digest there, and nothing only the old index offered stays behind.
/// </summary>
public sealed class EarlyDownloadTests
{
    private static Dictionary<string, string> Program(string name, int revision) => new() { [$"bin/{name}"] = PackageFactory.Script($"{name} {revision}") };

    [Fact]
    public async Task The_first_image_takes_the_warm_connection_and_the_index_check_a_new_one()
    {
        await using var system = MirroredSystem.TryCreate(mirror =>
        {
            mirror.Add("lib-amd64-1-1", new Dictionary<string, string> { ["lib/libtool.txt"] = "lib 1" });
            mirror.Add("tool-amd64-1.0-1", Program("tool", 1), "lib-amd64-1-1");
        });
        if (system is null)
        {
            return;
        }

        var daemon = await system.StartDaemonAsync();
        await daemon.WaitForLogAsync("mirror index: 2 packages");
        // The start-up refresh leaves its connection idle in the daemon's pool: the warm one.
        var before = system.Mirror.Requests();
        long warm = before.Last(r => r.Uri == "/repo/index.json.sig").Connection;

        var tool = await system.CliAsync("install", "tool");
        Assert.True(tool.ExitCode == 0, tool.Stderr);
        await daemon.WaitForLogAsync("install tool: generation 1 -> 2");
        var install = system.Mirror.Requests().Skip(before.Count).ToList();

        // The bytes the install waits for went out on the warm connection, without a handshake; the check, whose
        // answer only the commit needs, waited for that: on a connection of its own, or on the warm one only after the
        // image (on loopback a small image can be done before the check is sent, and the pool hands the connection on).
        var first = Assert.Single(install, r => r.Connection == warm && r.OnConnection == before.Count(b => b.Connection == warm) + 1);
        Assert.StartsWith("/repo/pkg/", first.Uri, StringComparison.Ordinal);
        var check = Assert.Single(install, r => r.Uri == "/repo/index.json");
        Assert.True(check.Connection != warm || check.OnConnection > first.OnConnection, $"the check went out on the warm connection before the image ({check.OnConnection})");
        Assert.Equal(2, install.Count(r => r.Uri.StartsWith("/repo/pkg/", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task An_install_keeps_the_early_download_when_the_plan_holds_and_follows_the_fresh_index_when_it_changed()
    {
        await using var system = MirroredSystem.TryCreate(mirror =>
        {
            mirror.Add("lib-amd64-1-1", new Dictionary<string, string> { ["lib/libtool.txt"] = "lib 1" });
            mirror.Add("tool-amd64-1.0-1", Program("tool", 1), "lib-amd64-1-1");
            mirror.Add("applib-amd64-1-1", new Dictionary<string, string> { ["lib/libapp.txt"] = "applib 1" });
            mirror.Add("app-amd64-1-1", Program("app", 1), "applib-amd64-1-1");
        });
        if (system is null)
        {
            return;
        }

        var daemon = await system.StartDaemonAsync();
        var (mirror, paths) = (system.Mirror, system.Paths);
        await daemon.WaitForLogAsync("mirror index: 4 packages");

        // The index changes, but not for tool: the images fetched beside the conditional GET are the install's.
        mirror.Add("extra-amd64-1-1", Program("extra", 1));
        mirror.Publish();
        var tool = await system.CliAsync("install", "tool");
        Assert.True(tool.ExitCode == 0, tool.Stderr);
        await daemon.WaitForLogAsync("install tool: generation 1 -> 2");
        Assert.Contains("(2 beside the index's check)", daemon.Stderr);
        Assert.Equal("tool 1", await TransactionFlowTests.RunProgramAsync(Path.Combine(paths.Mountpoint, "bin/tool")));

        // app 1 and what it needs are withdrawn, app 2 needs a new library: the early plan (app 1) is not the fresh one.
        foreach (string withdrawn in Directory.GetFiles(Path.Combine(mirror.Repository, "pkg"), "app*-amd64-1-1.*"))
        {
            File.Delete(withdrawn);
        }

        mirror.Add("applib-amd64-1-2", new Dictionary<string, string> { ["lib/libapp.txt"] = "applib 2" });
        mirror.Add("app-amd64-1-2", Program("app", 2), "applib-amd64-1-2");
        mirror.Publish();
        var app = await system.CliAsync("--json", "install", "app");
        Assert.True(app.ExitCode == 0, app.Stderr);
        await daemon.WaitForLogAsync("install app: generation 2 -> 3");
        Assert.Contains("install app: the index changed since it was last verified", daemon.Stderr);
        var added = JsonDocument.Parse(app.Stdout).RootElement.GetProperty("added").EnumerateArray().Select(e => e.GetString()).Order();
        Assert.Equal(["app-amd64-1-2", "applib-amd64-1-2"], added);
        Assert.Equal("app 2", await TransactionFlowTests.RunProgramAsync(Path.Combine(paths.Mountpoint, "bin/app")));
        Assert.Equal("applib 2", await File.ReadAllTextAsync(Path.Combine(paths.Mountpoint, "lib/libapp.txt")));

        // Every image in the store is one the fresh index offers, with its digest; none of the withdrawn ones stayed.
        var offered = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(mirror.Repository, "index.json"))).RootElement
            .GetProperty("packages").EnumerateArray()
            .ToDictionary(p => p.GetProperty("fullName").GetString()!, p => p.GetProperty("sha256").GetString()!);
        var stored = Directory.GetFiles(paths.Store, "*.squashfs").Select(f => Path.GetFileName(f)[..^".squashfs".Length]).Order().ToList();
        Assert.Equal(["app-amd64-1-2", "applib-amd64-1-2", "lib-amd64-1-1", "tool-amd64-1.0-1"], stored);
        foreach (string fullName in stored)
        {
            Assert.Equal(offered[fullName], Convert.ToHexStringLower(SHA256.HashData(await File.ReadAllBytesAsync(Path.Combine(paths.Store, fullName + ".squashfs")))));
        }

        Assert.Empty(Directory.GetFiles(paths.Store, ".*"));
    }
}
