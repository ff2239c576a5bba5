using System.Diagnostics;
using System.Net.Sockets;
using System.Text;

namespace Distrid.Tests.Support;

/// <summary>
/// Runs the real <c>distrid</c> as a child process on private directories. Readiness is the daemon's own
/// systemd signal: the fixture listens on a NOTIFY_SOCKET and waits for READY=1 (no polling, no sleeps).
/// </summary>
public sealed class DaemonProcess : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    private readonly Process _process;
    private readonly StringBuilder _stderr = new();
    private readonly List<LogWaiter> _stderrWaiters = [];
    private readonly Socket _notify;

    private DaemonProcess(Process process, Socket notify, DaemonPaths paths)
    {
        _process = process;
        _notify = notify;
        Paths = paths;
    }

    public DaemonPaths Paths { get; }

    public int Pid => _process.Id;

    public bool HasExited => _process.HasExited;

    public string Stderr
    {
        get
        {
            lock (_stderr)
            {
                return _stderr.ToString();
            }
        }
    }

    /// <summary>Starts distrid with <paramref name="paths"/> and extra arguments, and waits for READY=1.</summary>
    public static Task<DaemonProcess> StartAsync(DaemonPaths paths, params string[] extraArgs) =>
        StartAsync(paths, new Dictionary<string, string>(), extraArgs);

    /// <summary>As <see cref="StartAsync(DaemonPaths, string[])"/>, with extra environment variables for the daemon.</summary>
    public static async Task<DaemonProcess> StartAsync(DaemonPaths paths, IReadOnlyDictionary<string, string> environment, params string[] extraArgs)
    {
        string notifyPath = Path.Combine(paths.Root, $"notify-{Guid.NewGuid():N}.sock");
        var notify = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        notify.Bind(new UnixDomainSocketEndPoint(notifyPath));

        var psi = new ProcessStartInfo(DaemonCommand.Prefix[0])
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        foreach (string arg in DaemonCommand.Prefix.Skip(1).Concat(paths.Arguments()).Concat(extraArgs))
        {
            psi.ArgumentList.Add(arg);
        }

        psi.Environment["NOTIFY_SOCKET"] = notifyPath;
        foreach (var (name, value) in environment)
        {
            psi.Environment[name] = value;
        }

        var process = Process.Start(psi) ?? throw new InvalidOperationException("cannot start distrid");
        var daemon = new DaemonProcess(process, notify, paths);
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (daemon._stderr)
                {
                    daemon._stderr.AppendLine(e.Data);
                    daemon._stderrWaiters.RemoveAll(w => w.Matched(e.Data));
                }
            }
        };
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
        await daemon.WaitForNotificationAsync("READY=1");
        // The console logger writes from a queue of its own, so READY=1 can overtake the lines logged before it (the
        // start-up lines tests look for); its own line, logged just before the notification, comes after them.
        await daemon.WaitForLogAsync("ready: ");
        return daemon;
    }

    /// <summary>Waits until the daemon logs a line containing <paramref name="fragment"/> (or has already logged one).</summary>
    public async Task WaitForLogAsync(string fragment)
    {
        var waiter = new LogWaiter(fragment);
        lock (_stderr)
        {
            if (_stderr.ToString().Contains(fragment, StringComparison.Ordinal))
            {
                return;
            }

            _stderrWaiters.Add(waiter);
        }

        var exited = _process.WaitForExitAsync();
        Task first;
        try
        {
            first = await Task.WhenAny(waiter.Seen, exited).WaitAsync(StartTimeout);
        }
        catch (TimeoutException e)
        {
            // What the daemon did say is what a reader of the failure needs.
            throw new TimeoutException($"distrid did not log '{fragment}' within {StartTimeout.TotalSeconds} s; its log:\n{Stderr}", e);
        }

        if (first == exited && !waiter.Seen.IsCompleted)
        {
            throw new InvalidOperationException($"distrid exited with {_process.ExitCode} before logging '{fragment}':\n{Stderr}");
        }
    }

    private sealed class LogWaiter(string fragment)
    {
        private readonly TaskCompletionSource _seen = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task Seen => _seen.Task;

        public bool Matched(string line)
        {
            if (!line.Contains(fragment, StringComparison.Ordinal))
            {
                return false;
            }

            _seen.TrySetResult();
            return true;
        }
    }

    /// <summary>Waits for a datagram containing <paramref name="assignment"/>; fails early if the daemon exits.</summary>
    public async Task WaitForNotificationAsync(string assignment)
    {
        using var timeout = new CancellationTokenSource(StartTimeout);
        var buffer = new byte[4096];
        var exited = _process.WaitForExitAsync(timeout.Token);
        while (true)
        {
            var receive = _notify.ReceiveAsync(buffer, SocketFlags.None, timeout.Token).AsTask();
            var first = await Task.WhenAny(receive, exited);
            if (first == exited)
            {
                throw new InvalidOperationException($"distrid exited with {_process.ExitCode} before {assignment}:\n{Stderr}");
            }

            int n = await receive;
            if (Encoding.UTF8.GetString(buffer, 0, n).Split('\n').Contains(assignment))
            {
                return;
            }
        }
    }

    /// <summary>Sends SIGTERM and waits for the exit status.</summary>
    public async Task<int> StopAsync()
    {
        if (!_process.HasExited)
        {
            Signal("TERM");
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            await _process.WaitForExitAsync(timeout.Token);
        }

        return _process.ExitCode;
    }

    /// <summary>SIGKILL: the daemon dies without any cleanup, as in a crash.</summary>
    public async Task KillAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            await _process.WaitForExitAsync();
        }
    }

    private void Signal(string name)
    {
        using var kill = Process.Start("kill", ["-" + name, _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        kill.WaitForExit();
    }

    /// <summary>Kills the daemon. Its /ro stays mounted (dead) for a test that starts a successor on the same paths;
    /// the test's <see cref="TempDirectory"/> unmounts it at the end.</summary>
    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        _process.Dispose();
        _notify.Dispose();
    }
}

/// <summary>The private directories and socket of one test daemon.</summary>
public sealed class DaemonPaths
{
    public DaemonPaths(string root)
    {
        Root = root;
        Directory.CreateDirectory(Store);
        Directory.CreateDirectory(State);
        Directory.CreateDirectory(Mountpoint);
        // An explicit, empty config keeps the machine's /etc/distri/distrid.json out of the test.
        File.WriteAllText(Config, "{}");
    }

    public string Root { get; }
    public string Store => Path.Combine(Root, "store");
    public string State => Path.Combine(Root, "state");
    public string Mountpoint => Path.Combine(Root, "ro");
    public string Socket => Path.Combine(Root, "distrid.sock");
    public string Config => Path.Combine(Root, "distrid.json");

    /// <summary>The daemon's <c>--dbus</c>: none unless a test serves D-Bus on its own bus.</summary>
    public string DBus { get; set; } = "none";

    /// <summary>Where the daemon installs AppStream catalogs: never the machine's /var/cache/swcatalog in a test.</summary>
    public string SoftwareCatalog => Path.Combine(Root, "swcatalog");

    public IEnumerable<string> Arguments() =>
        ["--store", Store, "--state", State, "--mountpoint", Mountpoint, "--socket", Socket, "--dbus", DBus,
         "--config", Config, "--swcatalog", SoftwareCatalog];
}
