using Distrid.Tests.Support;

namespace Distrid.Tests.DBus;

/// <summary>
/// One private system bus with real polkitd, one signed mirror served by nginx and one distrid serving both front
/// ends on them, shared by the D-Bus tests of a class (each test uses its own packages). <see cref="System"/> is
/// null outside CI when root, FUSE, nginx, dbus-daemon or polkitd are missing; under CI=true that fails instead.
/// </summary>
public sealed class DBusDaemonFixture : IAsyncLifetime
{
    public static readonly string[] Programs = ["tool", "simulated", "granted", "viasocket", "refused", "cancelled", "downloaded", "orphaned"];

    public PrivateSystemBus? Bus { get; private set; }

    public MirroredSystem? System { get; private set; }

    public async Task InitializeAsync()
    {
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

    /// <summary>districtl against the daemon's socket, as root or as nobody (setpriv).</summary>
    public async Task<Cli.Result> CliAsync(bool asNobody, params string[] args)
    {
        string[] command = ["dotnet", Path.Combine(AppContext.BaseDirectory, "districtl.dll"), "--socket", System!.Paths.Socket, .. args];
        var result = await Bus!.RunAsync(asNobody ? command[0] : "/usr/bin/env", asNobody ? command[1..] : command, asNobody);
        return new Cli.Result(result.ExitCode, result.StandardOutput, result.StandardError);
    }

    public async Task DisposeAsync()
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
