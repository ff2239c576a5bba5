using System.Diagnostics;
using System.Globalization;
using System.Text;
using Distrid.Tests.Support;

namespace Distrid.Tests.Systemd;

/// <summary>
/// One distrid process started by <see cref="FakeSystemd"/>: NOTIFY_SOCKET points at the stand-in, and the fd
/// store's descriptors are passed as LISTEN_FDS when there are any (a restart).
/// </summary>
public sealed class ServiceProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _stderr = new();

    private ServiceProcess(Process process) => _process = process;

    public int Pid => _process.Id;

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

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

    /// <summary>
    /// Starts distrid on <paramref name="paths"/>. <paramref name="prefix"/> runs first (e.g.
    /// systemd-socket-activate ...) and execs distrid; <paramref name="environment"/> adds variables.
    /// </summary>
    public static ServiceProcess Start(
        FakeSystemd systemd, DaemonPaths paths, IReadOnlyList<string>? prefix = null, IReadOnlyDictionary<string, string>? environment = null)
    {
        var command = new List<string>();
        var stored = systemd.Stored;
        if (stored.Count > 0)
        {
            command.AddRange([ListenFdsLauncher.Python, ListenFdsLauncher.WriteTo(paths.Root), Environment.ProcessId.ToString(CultureInfo.InvariantCulture),
                string.Join(',', stored.Select(s => s.Fd)), string.Join(':', stored.Select(s => s.Name))]);
        }

        command.AddRange(prefix ?? []);
        command.AddRange([.. DaemonCommand.Prefix, .. paths.Arguments()]);

        var psi = new ProcessStartInfo(command[0]) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (string arg in command.Skip(1))
        {
            psi.ArgumentList.Add(arg);
        }

        psi.Environment["NOTIFY_SOCKET"] = systemd.NotifySocket;
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            psi.Environment[name] = value;
        }

        var process = Process.Start(psi) ?? throw new InvalidOperationException("cannot start distrid");
        var service = new ServiceProcess(process);
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (service._stderr)
                {
                    service._stderr.AppendLine(e.Data);
                }
            }
        };
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
        return service;
    }

    /// <summary>Sends SIGKILL without waiting for the exit.</summary>
    public void KillNow()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
        }
    }

    /// <summary>SIGKILL, as a crash: nothing is cleaned up.</summary>
    public async Task KillAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
        }

        await _process.WaitForExitAsync();
    }

    /// <summary>SIGTERM and the exit status.</summary>
    public async Task<int> StopAsync()
    {
        if (!_process.HasExited)
        {
            using var kill = Process.Start("kill", ["-TERM", Pid.ToString(CultureInfo.InvariantCulture)]);
            await kill.WaitForExitAsync();
        }

        return await WaitForExitAsync(TimeSpan.FromSeconds(60));
    }

    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(cancel.Token);
        return _process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        _process.Dispose();
    }
}
