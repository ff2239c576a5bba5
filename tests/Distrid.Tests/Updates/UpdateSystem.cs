using System.Globalization;
using System.Text.Json;
using Distrid.Tests.Admin;
using Distrid.Tests.Packaging;
using Distrid.Tests.Support;

namespace Distrid.Tests.Updates;

/// <summary>
/// A signed nginx mirror with <c>app</c> (a script) and <c>big</c> (a few MB that do not compress), a daemon whose
/// config file holds a <c>scheduledUpdate</c> policy, and the timer's service command as units/distrid-update.service
/// spells it.
/// </summary>
internal static class UpdateSystem
{
    public const string BigFile = "share/big/data";

    public static Dictionary<string, string> App(int revision) => new() { ["bin/app"] = PackageFactory.Script($"app {revision}") };

    /// <summary>Base64 of random bytes: about 4 MB, so a download of it takes many reads and a cut lands mid-file.</summary>
    public static Dictionary<string, string> Big(int revision) => new()
    {
        [BigFile] = $"big {revision}\n" + Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(3 << 20)),
    };

    public static MirroredSystem? Create() => MirroredSystem.TryCreate(mirror =>
    {
        mirror.Add("app-amd64-1-1", App(1));
        mirror.Add("big-amd64-1-1", Big(1));
    });

    /// <summary>Writes the daemon's config file (before it starts): <c>{"scheduledUpdate": policy}</c>.</summary>
    public static void Configure(this MirroredSystem system, string policyJson) =>
        File.WriteAllText(system.Paths.Config, $$"""{ "scheduledUpdate": {{policyJson}} }""");

    /// <summary>Publishes revision 2 of both packages.</summary>
    public static void PublishRevision2(this MirroredSystem system)
    {
        system.Mirror.Add("app-amd64-1-2", App(2));
        system.Mirror.Add("big-amd64-1-2", Big(2));
        system.Mirror.Publish();
    }

    /// <summary>The arguments of distrid-update.service's ExecStart after the program (<c>update --scheduled</c>).</summary>
    public static string[] ServiceCommand()
    {
        string execStart = RepositoryFiles.UnitAssignments("units/distrid-update.service").Single(a => a.Key == "ExecStart").Value;
        var words = execStart.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("/usr/bin/districtl", words[0]);
        return words[1..];
    }

    /// <summary>Runs the service's command against this system's daemon, as systemd would (the socket aside).</summary>
    public static Task<Cli.Result> RunServiceAsync(this MirroredSystem system) => system.CliAsync(ServiceCommand());

    public static int CurrentGeneration(this MirroredSystem system)
    {
        string target = new FileInfo(Path.Combine(system.Paths.State, "current")).LinkTarget!;
        return int.Parse(Path.GetFileNameWithoutExtension(target), CultureInfo.InvariantCulture);
    }

    public static string AppOutput(this MirroredSystem system) =>
        File.ReadAllText(Path.Combine(system.Paths.Mountpoint, "bin", "app"));

    public static async Task<List<JsonElement>> HistoryAsync(this MirroredSystem system) =>
        [.. (await system.JsonAsync("history")).EnumerateArray()];

    public static string Text(this JsonElement element, string property) => element.GetProperty(property).GetString()!;
}
