using Distrid.Hosting;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Distrid.Systemd;

/// <summary>
/// Registered last: the host starts services in order, so when this one starts, the mount and the API socket
/// serve. Then, and only then, it tells systemd READY=1 with what /ro serves (and STOPPING=1 on shutdown).
/// </summary>
internal sealed class ReadinessService(SystemdNotifier notifier, MountService mount, ILogger<ReadinessService> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        logger.LogInformation("ready: {Status}", mount.Status);
        notifier.Notify($"READY=1\nSTATUS={mount.Status}\nMAINPID={Environment.ProcessId}");
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        notifier.Notify("STOPPING=1\nSTATUS=stopping");
        return Task.CompletedTask;
    }
}
