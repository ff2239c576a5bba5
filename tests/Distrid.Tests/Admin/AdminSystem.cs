using System.Text.Json;
using Distrid.Tests.Support;

namespace Distrid.Tests.Admin;

/// <summary>
/// The packages the admin-verb tests install from a real signed mirror: two programs that share a dependency chain
/// (app → mid → base, tool → mid → base) and both ship <c>bin/shared</c>, so that the exchange directories have a
/// conflict (app wins by name order); <c>extra</c> is offered but never installed.
/// </summary>
internal static class AdminSystem
{
    public static readonly Dictionary<string, string> App = new()
    {
        ["bin/app"] = PackageFactory.Script("app 1"),
        ["bin/shared"] = PackageFactory.Script("shared from app"),
        ["share/doc/app/README"] = "app's readme",
        ["share/doc/app/link"] = "->README",
    };

    public static readonly Dictionary<string, string> Tool = new()
    {
        ["bin/tool"] = PackageFactory.Script("tool 1"),
        ["bin/shared"] = PackageFactory.Script("shared from tool"),
    };

    public static readonly Dictionary<string, string> Mid = new() { ["lib/libmid.txt"] = "mid" };

    public static readonly Dictionary<string, string> Base = new() { ["lib/libbase.txt"] = "base library" };

    public static MirroredSystem? Create() => MirroredSystem.TryCreate(mirror =>
    {
        mirror.Add("base-amd64-1-1", Base);
        mirror.Add("mid-amd64-1-1", Mid, "base-amd64-1-1");
        mirror.Add("app-amd64-1-1", App, "mid-amd64-1-1");
        mirror.Add("tool-amd64-1-1", Tool, "mid-amd64-1-1");
        mirror.Add("extra-amd64-1-1", new Dictionary<string, string> { ["bin/extra"] = "extra" });
    });

    /// <summary>Runs districtl against the system and requires success.</summary>
    public static async Task<Cli.Result> RunAsync(this MirroredSystem system, params string[] args)
    {
        var result = await system.CliAsync(args);
        Assert.True(result.ExitCode == 0, $"districtl {string.Join(' ', args)} failed: {result.Stderr}");
        return result;
    }

    public static async Task<JsonElement> JsonAsync(this MirroredSystem system, params string[] args) =>
        JsonDocument.Parse((await system.RunAsync(["--json", .. args])).Stdout).RootElement;

    /// <summary>A failure must be exactly one line on stderr, naming what is wrong.</summary>
    public static async Task<string> FailsAsync(this MirroredSystem system, params string[] args)
    {
        var result = await system.CliAsync(args);
        Assert.True(result.ExitCode != 0, $"districtl {string.Join(' ', args)} should fail: {result.Stdout}");
        string line = result.Stderr.Trim();
        Assert.DoesNotContain('\n', line);
        return line;
    }

    public static string[] Strings(this JsonElement array) => [.. array.EnumerateArray().Select(e => e.GetString()!)];
}
