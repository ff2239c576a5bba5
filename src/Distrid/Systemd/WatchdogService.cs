using Distrid.Hosting;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Distrid.Systemd;

/// <summary>
/// WatchdogSec= support: WATCHDOG=1 at half of WATCHDOG_USEC, but only while the FUSE session is alive. A daemon
/// whose /ro no longer serves stops pinging, so systemd restarts it even if the failure path itself hangs.
/// </summary>
internal sealed class WatchdogService(SystemdNotifier notifier, MountService mount, ILogger<WatchdogService> logger) : BackgroundService
{
    private readonly TimeSpan? _interval = WatchdogSettings.FromEnvironment();

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (_interval is not TimeSpan interval || !notifier.IsEnabled)
        {
            return;
        }

        logger.LogInformation("watchdog: pinging systemd every {Interval} ms", (long)interval.TotalMilliseconds);
        using var timer = new PeriodicTimer(interval);
        try
        {
            do
            {
                if (mount.IsMounted)
                {
                    notifier.Notify("WATCHDOG=1");
                }
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }
}
