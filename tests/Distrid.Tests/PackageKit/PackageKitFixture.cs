using Distri.Core.Tests.Support;
using Distrid.Tests.Support;

namespace Distrid.Tests.PackageKit;

/// <summary>
/// A private system bus with real polkitd, a signed mirror on nginx and one <c>distrid --packagekit</c> serving
/// org.freedesktop.PackageKit on that bus, shared by the pkcon tests (each test uses its own packages). The bus has no
/// activation files, so Debian's packagekitd can never be started on it: only our daemon answers pkcon.
/// </summary>
public sealed class PackageKitFixture : IDisposable
{
    public const string Pkcon = "/usr/bin/pkcon";

    public static readonly string[] Programs = ["pkquery", "pkhello", "pkupd", "pkdenied", "pkcancel"];

    private static readonly string[] Needs = [.. PrivateSystemBus.Needs, NginxFixture.NginxPath, Pkcon];

    public PackageKitFixture()
    {
        // A fixture must not skip (that would fail every test of the class); the tests skip through Ready().
        if (Requirements.Missing(needsRoot: true, Needs).Count > 0)
        {
            return;
        }

        StartAsync().GetAwaiter().GetResult();
    }

    public PrivateSystemBus? Bus { get; private set; }

    public MirroredSystem? System { get; private set; }

    private async Task StartAsync()
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
                mirror.Add($"{program}-amd64-1.0-1", new Dictionary<string, string> { [$"bin/{program}"] = PackageFactory.Script($"{program} 1.0") });
            }
        }) ?? throw new InvalidOperationException("the bus started, so the mirror's requirements are there too");

        foreach (var dir in new[] { Path.GetDirectoryName(System.Paths.Root)!, System.Paths.Root })
        {
            File.SetUnixFileMode(dir, (UnixFileMode)0b111_101_101);
        }

        System.Paths.DBus = Bus.Address;
        // The PackageKit service owns its name before the daemon reports ready (an explicit bus that fails fails the start).
        await System.StartDaemonAsync(Bus.Environment, "--packagekit");
    }

    /// <summary>True when the machine has what the fixture needs; otherwise skips the test (fails it under CI).</summary>
    public static bool Ready() => Requirements.RootWith(Needs);

    /// <summary>Unmodified pkcon with the private bus as its system bus, as root or as nobody.</summary>
    public Task<ProcessRunner.Result> PkconAsync(bool asNobody, params string[] args) => Bus!.RunAsync(Pkcon, args, asNobody);

    /// <summary>The current generation, asked of the daemon over its own D-Bus API.</summary>
    public async Task<int> GenerationAsync()
    {
        await using var client = await BusClient.ConnectAsync(Bus!.Address);
        return (await client.StatusAsync())["generation"].GetInt32();
    }

    public string Program(string name) => Path.Combine(System!.Paths.Mountpoint, "bin", name);

    public void Dispose()
    {
        if (System is not null)
        {
            System.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }

        if (Bus is not null)
        {
            Bus.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
    }
}
