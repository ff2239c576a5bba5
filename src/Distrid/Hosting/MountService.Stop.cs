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

        // The kernel decides whether /ro is in use: umount2 without MNT_DETACH fails with EBUSY while any process has
        // a file under it open or mapped, or its working directory or root there. That is exact for every process;
        // naming them from /proc needs CAP_SYS_PTRACE, which the unit does not grant (MountUsers names those it can).
        var deadline = DateTime.UtcNow + BusyStopWait;
        bool waited = false;
        while (!TryUnmountUnused())
        {
            string users = DescribeUsers();
            if (!waited)
            {
                waited = true;
                logger.LogWarning(
                    "stopping while {Mountpoint} is in use ({Users}); unmounting once it is not (at most {Seconds} s)",
                    options.Mountpoint, users, (int)BusyStopWait.TotalSeconds);
            }

            if (DateTime.UtcNow >= deadline || cancellationToken.IsCancellationRequested)
            {
                logger.LogError("unmounting {Mountpoint} although it is still in use ({Users})", options.Mountpoint, users);
                break;
            }

            notifier.Notify($"STATUS=stopping: waiting for {options.Mountpoint} to be unused ({users})");
            try
            {
                await Task.Delay(BusyPollInterval, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                continue;
            }

            // systemctl start while we wait (stop, then start, while programs run from /ro): hand over after all.
            if (await StartFollowsAsync(cancellationToken))
            {
                HandOver();
                return;
            }
        }

        Unmount();
    }

    private bool TryUnmountUnused()
    {
        try
        {
            return _session!.Mount.TryUnmountUnused();
        }
        catch (Fuse.FuseException e)
        {
            logger.LogWarning("cannot unmount {Mountpoint}: {Error}", options.Mountpoint, e.Message);
            return true;
        }
    }

    private string DescribeUsers()
    {
        var users = MountUsers.Find(options.Mountpoint);
        return users.Count == 0 ? "by processes this service may not inspect" : "by " + string.Join(", ", users);
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
