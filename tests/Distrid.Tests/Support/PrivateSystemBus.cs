using System.Diagnostics;
using Distri.Core.Tests.Support;

namespace Distrid.Tests.Support;

/// <summary>
/// A private system bus (dbus-daemon with its own config: system type, EXTERNAL auth, this repo's dbus/ policy and
/// the machine's /usr/share/dbus-1/system.d for polkit's) and a real polkitd started inside
/// <c>unshare -m --propagation private</c>, where /usr/share/polkit-1/actions holds only this repo's policy and
/// /etc/polkit-1/rules.d is a directory the test may add a grant rule to. Nothing of the host's bus or polkit is
/// touched. Readiness: the bus prints its address, polkit's name appears on the bus (gdbus wait).
/// </summary>
public sealed class PrivateSystemBus : IAsyncDisposable
{
    public const string DBusDaemon = "/usr/bin/dbus-daemon";
    public const string Polkitd = "/usr/lib/polkit-1/polkitd";
    private const string GrantRule =
        """polkit.addRule(function(action, subject) { if (action.id.indexOf("org.distrid.") == 0 && subject.user == "nobody") return polkit.Result.YES; });""";

    private readonly TempDirectory _directory;
    private readonly Process _bus;
    private Process? _polkit;
    private Process? _nobodySubject;

    private PrivateSystemBus(TempDirectory directory, Process bus, string address)
    {
        _directory = directory;
        _bus = bus;
        Address = address;
    }

    /// <summary>The bus address, for DBUS_SYSTEM_BUS_ADDRESS and <c>distrid --dbus</c>.</summary>
    public string Address { get; }

    public string SocketPath => Path.Combine(_directory.Path, "system_bus_socket");

    /// <summary>A directory everyone (nobody included) may create sockets in.</summary>
    public string SharedDirectory => Path.Combine(_directory.Path, "shared");

    private string RulesDirectory => Path.Combine(_directory.Path, "rules.d");

    private string RuleFile => Path.Combine(RulesDirectory, "90-distrid-test.rules");

    /// <summary>Environment that points a child (distrid, pkcheck, gdbus) at this bus as its system bus.</summary>
    public IReadOnlyDictionary<string, string> Environment => new Dictionary<string, string> { ["DBUS_SYSTEM_BUS_ADDRESS"] = Address };

    /// <summary>What a private bus needs besides root (the daemon beside it needs /dev/fuse).</summary>
    public static readonly string[] Needs =
    [
        "/dev/fuse", DBusDaemon, Polkitd, "/usr/bin/unshare", "/usr/bin/setpriv", "/usr/bin/socat", "/usr/bin/gdbus",
        "/usr/bin/pkcheck", "/usr/bin/busctl",
    ];

    /// <summary>Null when root or one of <see cref="Needs"/> is missing; never skips, so that a fixture can call it
    /// (its tests then report the reason through <see cref="Requirements.RootWith"/>).</summary>
    public static async Task<PrivateSystemBus?> TryStartAsync()
    {
        if (Requirements.Missing(needsRoot: true, Needs).Count > 0)
        {
            return null;
        }

        var directory = new TempDirectory("distrid-test-bus");
        PrivateSystemBus? bus = null;
        try
        {
            bus = await StartBusAsync(directory);
            await bus.StartPolkitAsync();
            return bus;
        }
        catch
        {
            if (bus is not null)
            {
                await bus.DisposeAsync();
            }
            else
            {
                directory.Dispose();
            }

            throw;
        }
    }

    private static async Task<PrivateSystemBus> StartBusAsync(TempDirectory directory)
    {
        string root = directory.Path;
        // polkitd (as user polkitd), nobody's clients and the bus must all reach what lives here.
        File.SetUnixFileMode(root, (UnixFileMode)0b111_101_101);
        foreach (string sub in new[] { "actions", "rules.d", "services" })
        {
            Directory.CreateDirectory(Path.Combine(root, sub));
        }

        Directory.CreateDirectory(Path.Combine(root, "shared"));
        File.SetUnixFileMode(Path.Combine(root, "shared"), (UnixFileMode)0b1_111_111_111);
        foreach (string policy in Directory.GetFiles(Path.Combine(RepositoryRoot, "polkit"), "*.policy"))
        {
            File.Copy(policy, Path.Combine(root, "actions", Path.GetFileName(policy)));
        }

        string config = Path.Combine(root, "bus.conf");
        await File.WriteAllTextAsync(config, BusConfig(root));

        var bus = StartProcess(DBusDaemon, ["--config-file=" + config, "--nofork", "--print-address"], null);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        string? address = await bus.StandardOutput.ReadLineAsync(timeout.Token);
        if (string.IsNullOrEmpty(address))
        {
            throw new InvalidOperationException("dbus-daemon did not start: " + await bus.StandardError.ReadToEndAsync(timeout.Token));
        }

        return new PrivateSystemBus(directory, bus, address.Trim());
    }

    private async Task StartPolkitAsync()
    {
        string root = _directory.Path;
        string script = $"mount --bind {root}/actions /usr/share/polkit-1/actions && mount --bind {root}/rules.d /etc/polkit-1/rules.d && exec {Polkitd} --no-debug";
        _polkit = StartProcess("/usr/bin/unshare", ["-m", "--propagation", "private", "sh", "-c", script], Environment);
        var wait = await RunAsync("/usr/bin/gdbus", ["wait", "--system", "--timeout", "20", "org.freedesktop.PolicyKit1"]);
        if (wait.ExitCode != 0)
        {
            throw new InvalidOperationException($"polkitd did not appear on the bus: {wait.StandardError}");
        }
    }

    /// <summary>Adds a rule that grants every org.distrid.* action to nobody, and waits until polkit applies it.</summary>
    public async Task GrantNobodyAsync()
    {
        await File.WriteAllTextAsync(RuleFile, GrantRule);
        await WaitForNobodyDecisionAsync(granted: true);
    }

    /// <summary>Removes the grant rule and waits until polkit refuses nobody again.</summary>
    public async Task RevokeNobodyAsync()
    {
        File.Delete(RuleFile);
        await WaitForNobodyDecisionAsync(granted: false);
    }

    /// <summary>polkit reloads rules asynchronously (inotify, then about a second): ask it until it answers as expected.</summary>
    private async Task WaitForNobodyDecisionAsync(bool granted)
    {
        _nobodySubject ??= StartProcess("/usr/bin/setpriv", ["--reuid=65534", "--regid=65534", "--clear-groups", "sleep", "600"], null);
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            var check = await RunAsync("/usr/bin/pkcheck", ["--process", _nobodySubject.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), "--action-id", "org.distrid.distrid1.install"]);
            if ((check.ExitCode == 0) == granted)
            {
                return;
            }

            if (deadline.Elapsed > TimeSpan.FromSeconds(30))
            {
                throw new TimeoutException($"polkit did not {(granted ? "apply" : "drop")} the test rule: {check.StandardError}");
            }

            await Task.Delay(100);
        }
    }

    /// <summary>Runs a tool with this bus as the system bus.</summary>
    public async Task<ProcessRunner.Result> RunAsync(string fileName, IEnumerable<string> arguments, bool asNobody = false)
    {
        var all = asNobody ? new[] { "--reuid=65534", "--regid=65534", "--clear-groups", fileName }.Concat(arguments) : arguments;
        using var process = StartProcess(asNobody ? "/usr/bin/setpriv" : fileName, all, Environment);
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        return new ProcessRunner.Result(process.ExitCode, await stdout, await stderr);
    }

    private static Process StartProcess(string fileName, IEnumerable<string> arguments, IReadOnlyDictionary<string, string>? environment)
    {
        var psi = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string argument in arguments)
        {
            psi.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            psi.Environment[name] = value;
        }

        return Process.Start(psi) ?? throw new InvalidOperationException($"cannot start {fileName}");
    }

    /// <summary>The checkout (where Distrid.sln is), for the static dbus/ and polkit/ files under test.</summary>
    public static string RepositoryRoot
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "Distrid.sln")))
                {
                    return dir.FullName;
                }
            }

            throw new InvalidOperationException("cannot find the checkout above " + AppContext.BaseDirectory);
        }
    }

    private static string BusConfig(string root) => $"""
        <!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN" "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
        <busconfig>
          <type>system</type>
          <auth>EXTERNAL</auth>
          <listen>unix:path={root}/system_bus_socket</listen>
          <servicedir>{root}/services</servicedir>
          <policy context="default">
            <allow user="*"/>
            <deny own="*"/>
            <deny send_type="method_call"/>
            <allow send_type="signal"/>
            <allow send_requested_reply="true" send_type="method_return"/>
            <allow send_requested_reply="true" send_type="error"/>
            <allow receive_type="method_call"/>
            <allow receive_type="method_return"/>
            <allow receive_type="error"/>
            <allow receive_type="signal"/>
            <allow send_destination="org.freedesktop.DBus" send_interface="org.freedesktop.DBus"/>
            <allow send_destination="org.freedesktop.DBus" send_interface="org.freedesktop.DBus.Introspectable"/>
            <allow send_destination="org.freedesktop.DBus" send_interface="org.freedesktop.DBus.Properties"/>
          </policy>
          <includedir>/usr/share/dbus-1/system.d</includedir>
          <includedir>{RepositoryRoot}/dbus</includedir>
        </busconfig>
        """;

    public async ValueTask DisposeAsync()
    {
        foreach (var process in new[] { _nobodySubject, _polkit, _bus })
        {
            if (process is null)
            {
                continue;
            }

            try
            {
                if (!process.HasExited)
                {
                    process.Kill();
                    await process.WaitForExitAsync();
                }
            }
            catch (InvalidOperationException)
            {
            }

            process.Dispose();
        }

        _directory.Dispose();
    }
}
