using System.Diagnostics;
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

    /// <summary>The daemon's <c>--packagekit-state</c>: PackageKit's offline-update files, never the machine's /var/lib/PackageKit.</summary>
    public string PackageKitState => Path.Combine(System!.Paths.Root, "packagekit");

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
        await System.StartDaemonAsync(Bus.Environment, "--packagekit", "--packagekit-state", PackageKitState);
    }

    /// <summary>True when the machine has what the fixture needs; otherwise skips the test (fails it under CI).</summary>
    public static bool Ready() => Requirements.RootWith(Needs);

    /// <summary>Unmodified pkcon with the private bus as its system bus, as root or as nobody.</summary>
    public Task<ProcessRunner.Result> PkconAsync(bool asNobody, params string[] args) => Bus!.RunAsync(Pkcon, args, asNobody);

    /// <summary>
    /// pkcon without -y in a terminal (util-linux script allocates the pty), typing <paramref name="answer"/> and Enter
    /// once pkcon prompts for it.
    /// </summary>
    public async Task<ProcessRunner.Result> PkconInTerminalAsync(string answer, params string[] args)
    {
        var psi = new ProcessStartInfo("/usr/bin/script")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string argument in new[] { "-qec", string.Join(' ', new[] { Pkcon }.Concat(args)), "/dev/null" })
        {
            psi.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in Bus!.Environment)
        {
            psi.Environment[name] = value;
        }

        using var process = Process.Start(psi)!;
        var stderr = process.StandardError.ReadToEndAsync();
        // pkcon discards what was typed before it asks: answer only once the prompt is on the terminal.
        var stdout = ReadAnsweringAsync(process, answer);
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            return new ProcessRunner.Result(-1, await stdout, "pkcon did not finish within a minute: " + await stderr);
        }

        return new ProcessRunner.Result(process.ExitCode, await stdout, await stderr);
    }

    private static async Task<string> ReadAnsweringAsync(Process process, string answer)
    {
        var output = new System.Text.StringBuilder();
        var buffer = new char[4096];
        bool answered = false;
        int read;
        while ((read = await process.StandardOutput.ReadAsync(buffer)) > 0)
        {
            output.Append(buffer, 0, read);
            if (!answered && output.ToString().Contains("[N/y]", StringComparison.Ordinal))
            {
                answered = true;
                await process.StandardInput.WriteAsync(answer + "\n");
                process.StandardInput.Close();
            }
        }

        return output.ToString();
    }

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
