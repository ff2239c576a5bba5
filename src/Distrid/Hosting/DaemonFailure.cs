using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Distrid.Hosting;

/// <summary>
/// The daemon cannot go on (the FUSE session ended on its own, a background service crashed): stops the host and
/// makes the process exit non-zero, so systemd's Restart=on-failure starts a successor. A SIGTERM stop never
/// goes through here and exits 0.
/// </summary>
internal sealed class DaemonFailure(IHostApplicationLifetime lifetime, ILogger<DaemonFailure> logger)
{
    private string? _reason;

    /// <summary>Why the daemon failed, or null.</summary>
    public string? Reason => Volatile.Read(ref _reason);

    public void Fail(string reason)
    {
        if (Interlocked.CompareExchange(ref _reason, reason, null) is null)
        {
            logger.LogCritical("stopping after a failure: {Reason}", reason);
        }

        lifetime.StopApplication();
    }

    /// <summary>
    /// The exit status once the host has stopped: 1 when something failed, including a BackgroundService whose
    /// ExecuteAsync threw (the host logs it and stops, but up to .NET 10 still returns normally).
    /// </summary>
    public int ExitCode(IEnumerable<IHostedService> services)
    {
        var crashed = services.OfType<BackgroundService>().FirstOrDefault(s => s.ExecuteTask is { IsFaulted: true });
        if (crashed is not null && Reason is null)
        {
            Volatile.Write(ref _reason, $"{crashed.GetType().Name} crashed: {crashed.ExecuteTask!.Exception?.GetBaseException().Message}");
        }

        return Reason is null ? 0 : 1;
    }
}
