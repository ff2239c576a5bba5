using Distrid.Tests.Support;

namespace Distrid.Tests.DBus;

/// <summary>
/// One private system bus with real polkitd, one signed mirror served by nginx and one distrid serving both front
/// ends on them, shared by the D-Bus tests of a class (each test uses its own packages). <see cref="System"/> is
/// null when root, FUSE, nginx, dbus-daemon or polkitd are missing; each test then calls <see cref="Ready"/>, which
/// skips it with the reason (or fails it under CI=true).
/// </summary>
public sealed class DBusDaemonFixture : IAsyncLifetime
{
    public static readonly string[] Programs = ["tool", "simulated", "granted", "viasocket", "refused", "cancelled", "downloaded", "orphaned"];

    private static readonly string[] Needs = [.. PrivateSystemBus.Needs, NginxFixture.NginxPath];

    public PrivateSystemBus? Bus { get; private set; }

    public MirroredSystem? System { get; private set; }

    public async ValueTask InitializeAsync()
    {
        // A fixture must not skip (that would fail every test of the class); the tests skip through Ready().
        if (Requirements.Missing(needsRoot: true, Needs).Count > 0)
        {
            return;
        }

        Bus = await PrivateSystemBus.TryStartAsync();
        if (Bus is null)
        {
            return;
        }

        System = MirroredSystem.TryCreate(mirror =>
        {
            foreach (string program in Programs)
            {
                mirror.Add($"{program}-amd64-1.0-1", new Dictionary<string, string> { [$"bin/{program}"] = PackageFactory.Script($"{program} runs") });
            }
        }) ?? throw new InvalidOperationException("the bus started, so the mirror's requirements are there too");

        // nobody must reach the daemon's socket: open the test directories for traversal.
        foreach (var dir in new[] { Path.GetDirectoryName(System.Paths.Root)!, System.Paths.Root })
        {
            File.SetUnixFileMode(dir, (UnixFileMode)0b111_101_101);
        }

        System.Paths.DBus = Bus.Address;
        await System.StartDaemonAsync(Bus.Environment);
    }

    /// <summary>True when the machine has what the fixture needs; otherwise skips the test (fails it under CI).</summary>
    public static bool Ready() => Requirements.RootWith(Needs);

    /// <summary>districtl against the daemon's socket, as root or as nobody (setpriv).</summary>
    public async Task<Cli.Result> CliAsync(bool asNobody, params string[] args)
    {
        string[] command = ["dotnet", Path.Combine(AppContext.BaseDirectory, "districtl.dll"), "--socket", System!.Paths.Socket, .. args];
        var result = await Bus!.RunAsync(asNobody ? command[0] : "/usr/bin/env", asNobody ? command[1..] : command, asNobody);
        return new Cli.Result(result.ExitCode, result.StandardOutput, result.StandardError);
    }

    public async ValueTask DisposeAsync()
    {
        if (System is not null)
        {
            await System.DisposeAsync();
        }

        if (Bus is not null)
        {
            await Bus.DisposeAsync();
        }
    }
}
