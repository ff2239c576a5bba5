using Distrid.Systemd;
using Microsoft.Extensions.Logging;

namespace Distrid.Hosting;

// How a stop ends. SIGTERM is what systemd sends for a restart as well as for a stop, so the daemon asks systemd
// which one it is. A start that follows (systemctl restart, or a start queued while the stop runs) gets the
// connection handed over: /ro stays mounted, the /dev/fuse descriptor and its state stay in the fd store (systemd
// keeps the store while a job is pending on the unit), and the successor serves on. Only a stop with nothing after
// it unmounts, and first waits, for a bounded time, until no process uses files under /ro any more.
internal sealed partial class MountService
{
    /// <summary>
    /// How long a stop waits for programs to stop using /ro before it unmounts anyway. Below the unit's
    /// TimeoutStopSec=60s, which also covers rolling back a transaction; a start requested meanwhile still turns the
    /// stop into a handover.
    /// </summary>
    internal static readonly TimeSpan BusyStopWait = TimeSpan.FromSeconds(30);

    private static readonly TimeSpan BusyPollInterval = TimeSpan.FromMilliseconds(250);

    /// <summary>How long a handover waits for requests being answered at that moment.</summary>
    private static readonly TimeSpan DetachTimeout = TimeSpan.FromSeconds(10);

    private bool _connectionStored;

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        _stopping = true;
        if (_session is null)
        {
            return;
        }

        if (await StartFollowsAsync(cancellationToken))
        {
            HandOver();
            return;
        }

        var users = MountUsers.Find(options.Mountpoint);
        if (users.Count > 0)
        {
            logger.LogWarning(
                "stopping while {Count} processes use {Mountpoint}: {Users}; unmounting once they are done (at most {Seconds} s)",
                users.Count, options.Mountpoint, string.Join(", ", users), (int)BusyStopWait.TotalSeconds);
            var deadline = DateTime.UtcNow + BusyStopWait;
            while (users.Count > 0 && DateTime.UtcNow < deadline && !cancellationToken.IsCancellationRequested)
            {
                notifier.Notify($"STATUS=stopping: waiting for {users.Count} processes using {options.Mountpoint} (first: {users[0]})");
                try
                {
                    await Task.Delay(BusyPollInterval, cancellationToken);
                }
                catch (OperationCanceledException)
                {
                    break;
                }

                // systemctl start while we wait (stop, then start, while programs run from /ro): hand over after all.
                if (await StartFollowsAsync(cancellationToken))
                {
                    HandOver();
                    return;
                }

                users = MountUsers.Find(options.Mountpoint);
            }

            if (users.Count > 0)
            {
                logger.LogError("unmounting {Mountpoint} although it is still in use by: {Users}", options.Mountpoint, string.Join(", ", users));
            }
        }

        Unmount();
    }

    /// <summary>Whether systemd will start this unit again right after the stop. Asked only when the connection is in
    /// systemd's fd store and the process is a systemd service (INVOCATION_ID): only then can a successor take it.</summary>
    private async Task<bool> StartFollowsAsync(CancellationToken cancellationToken)
    {
        if (!_connectionStored || string.IsNullOrEmpty(Environment.GetEnvironmentVariable("INVOCATION_ID")))
        {
            return false;
        }

        var (job, detail) = await unitJobs.GetAsync(cancellationToken);
        if (job == PendingUnitJob.Unknown)
        {
            // Unmounting is what a stop does; a restart then costs /ro for a moment, but nothing is left dangling.
            logger.LogWarning("cannot ask systemd whether a start follows ({Error}); stopping as for systemctl stop", detail);
        }

        return job == PendingUnitJob.Start;
    }

    /// <summary>Leaves /ro mounted and its connection in the fd store for the successor systemd is about to start.</summary>
    private void HandOver()
    {
        notifier.Notify($"STATUS=restarting: {options.Mountpoint} stays mounted for the next daemon");
        if (!_session!.Detach(DetachTimeout))
        {
            logger.LogWarning("a FUSE request was still being answered after {Seconds} s; the next daemon answers it again", (int)DetachTimeout.TotalSeconds);
        }

        logger.LogInformation("a start follows: left {Mountpoint} mounted; the next daemon takes its connection from systemd's fd store", options.Mountpoint);
    }

    private void Unmount()
    {
        notifier.Notify($"STATUS=stopping: unmounting {options.Mountpoint}");

        // A clean stop ends the connection, so systemd must not hand it to a later start: drop it from the store
        // first (were we killed right after, the stored descriptor of an unmounted connection reports POLLERR and
        // systemd drops it by itself).
        ForgetStoredConnection();
        _session!.Dispose();
        logger.LogInformation("unmounted {Mountpoint}", options.Mountpoint);
    }
}
