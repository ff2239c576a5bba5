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
        Task? answering = null;
        int read;
        while ((read = await process.StandardOutput.ReadAsync(buffer)) > 0)
        {
            output.Append(buffer, 0, read);
            if (answering is null && output.ToString().Contains("[N/y]", StringComparison.Ordinal))
            {
                answering = AnswerOnceReadingAsync(process, answer);
            }
        }

        if (answering is not null)
        {
            await answering;
        }

        return output.ToString();
    }

    /// <summary>
    /// Types the answer once pkcon waits in read(2) on its terminal. It prints the prompt before it switches the
    /// terminal to raw mode with TCSAFLUSH, which discards what was typed in between: answering on the prompt's text
    /// alone lost the answer now and then (the "y" run then declined). The readiness signal is the kernel's own
    /// account of pkcon's system call (/proc/PID/syscall: read(2) of its terminal), checked until it holds.
    /// </summary>
    private static async Task AnswerOnceReadingAsync(Process script, string answer)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (!deadline.IsCancellationRequested && !script.HasExited && !PkconReadsItsTerminal(script.Id))
        {
            await Task.Delay(5, CancellationToken.None);
        }

        await script.StandardInput.WriteAsync(answer + "\n");
        script.StandardInput.Close();
    }

    /// <summary>Whether a pkcon below <paramref name="root"/> is blocked in read(2) on its terminal.</summary>
    private static bool PkconReadsItsTerminal(int root)
    {
        var pending = new Stack<int>([root]);
        while (pending.Count > 0)
        {
            int pid = pending.Pop();
            try
            {
                if (File.ReadAllText($"/proc/{pid}/comm").Trim() == "pkcon")
                {
                    // "0 0x0 ...": system call 0 (read) with fd 0.
                    // "0 0x9 ...": system call 0 (read), its first argument the descriptor; pkcon opens /dev/tty.
                    string[] call = File.ReadAllText($"/proc/{pid}/syscall").Split(' ');
                    return call.Length > 1 && call[0] == "0"
                        && new FileInfo($"/proc/{pid}/fd/{Convert.ToInt32(call[1], 16)}").LinkTarget is { } target
                        && (target.StartsWith("/dev/pts/", StringComparison.Ordinal) || target == "/dev/tty");
                }

                foreach (string task in Directory.EnumerateDirectories($"/proc/{pid}/task"))
                {
                    foreach (string child in File.ReadAllText(Path.Combine(task, "children")).Split(' ', StringSplitOptions.RemoveEmptyEntries))
                    {
                        pending.Push(int.Parse(child, global::System.Globalization.CultureInfo.InvariantCulture));
                    }
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // The process ended while we looked.
            }
        }

        return false;
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
