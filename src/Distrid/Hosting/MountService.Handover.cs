using Distrid.FileSystem.Exchange;
using Distrid.Fuse.Interop;
using Distrid.Fuse.Mounting;
using Distrid.Fuse.Session;
using Distrid.Generations;
using Distrid.Handover;
using Distrid.Systemd;
using Microsoft.Extensions.Logging;

namespace Distrid.Hosting;

// Restart without unmounting: the /dev/fuse descriptor and a memfd with its meaning (HandoverState) live in
// systemd's fd store; a successor finds both in LISTEN_FDS and continues serving the same connection.
internal sealed partial class MountService
{
    /// <summary>
    /// After mount and INIT: stores the state (INIT result, connection id, node id journal so far) and then the
    /// /dev/fuse descriptor. The state goes first, so a successor that finds the descriptor also finds its meaning.
    /// </summary>
    private void StoreConnection(FuseMount mount, FuseInitResult init)
    {
        var state = _handover;
        if (state is null)
        {
            return;
        }

        if (mount.ConnectionId is not uint connection)
        {
            logger.LogWarning("the mount at {Mountpoint} has no connection id; a restart will remount", options.Mountpoint);
            DropHandover();
            return;
        }

        state.SetConnection(connection, init);
        bool stored = notifier.NotifyWithFds($"FDSTORE=1\nFDNAME={FdStoreNames.FuseState}", [state.Fd])
            && notifier.NotifyWithFds($"FDSTORE=1\nFDNAME={FdStoreNames.Fuse}", [mount.DeviceFd]);
        if (stored)
        {
            _connectionStored = true;
            logger.LogInformation("stored the FUSE connection in systemd's fd store (FDNAME={Name})", FdStoreNames.Fuse);
        }
        else
        {
            logger.LogWarning("systemd did not take the FUSE connection; a restart will remount");
        }
    }

    /// <summary>
    /// A successor's start: resumes the connection found in LISTEN_FDS if it is ours and whole. Never runs the stale
    /// mount check on it first: statfs on a live connection without a server would block. Returns false (after
    /// discarding whatever was inherited) when the daemon must mount afresh.
    /// </summary>
    private bool TryResumeInherited(Generation generation)
    {
        int fuseFd = listenFds.Take(FdStoreNames.Fuse);
        int stateFd = listenFds.Take(FdStoreNames.FuseState);
        if (fuseFd < 0)
        {
            if (stateFd >= 0)
            {
                FdPassing.Close(stateFd);
                notifier.Notify($"FDSTOREREMOVE=1\nFDNAME={FdStoreNames.FuseState}");
            }

            return false;
        }

        string? error = "no fuse-state descriptor came with it";
        var state = stateFd >= 0 ? HandoverState.Open(stateFd, out error) : null;
        var entry = MountTable.Find(options.Mountpoint);
        string? problem = state is null ? error
            : entry is null || entry.FileSystemType != "fuse.distrid" ? $"{options.Mountpoint} is not a distrid mount"
            : entry.DeviceMinor != state.ConnectionId ? $"the stored connection is not the one mounted at {options.Mountpoint}"
            : null;

        var previousNames = new List<byte[]>();
        if (problem is null)
        {
            try
            {
                journal.Restore(state!.ReadRecords());
                for (int slot = 1; slot < fileSystem.Images.NextSlot; slot++)
                {
                    previousNames.Add(System.Text.Encoding.UTF8.GetBytes(fileSystem.Images.Get(slot)!.FullName));
                }
            }
            catch (Exception e) when (e is InvalidDataException or IOException)
            {
                problem = "its node id journal is unreadable: " + e.Message;
            }
        }

        if (problem is not null)
        {
            DiscardInherited(fuseFd, state, entry, problem);
            return false;
        }

        int restoredSlots = previousNames.Count;
        _handover = state;
        _connectionStored = true;
        var mount = FuseMount.Adopt(fuseFd, options.Mountpoint);
        long allocatedBefore = GC.GetTotalAllocatedBytes();
        Publish(generation);
        ReturnStartupGarbage(allocatedBefore);
        _session = FuseSession.Resume(mount, fileSystem, state!.Init!.Value, SessionOptions());
        fileSystem.Attach(_session);

        // The kernel may still cache root names of the predecessor's namespace (its exchange roots, packages it
        // showed): drop them all so lookups see what was published now. Cached ids below them stay valid.
        previousNames.AddRange(PackageManifest.ExchangeDirectories.Select(System.Text.Encoding.UTF8.GetBytes));
        previousNames.AddRange(fileSystem.Current.Entries.Select(e => e.Name));
        fileSystem.InvalidateRootNames(previousNames);
        logger.LogInformation(
            "resumed the FUSE connection of {Mountpoint} from systemd's fd store (FUSE 7.{Minor}, {Slots} image slots restored)",
            options.Mountpoint, state.Init.Value.Minor, restoredSlots);
        return true;
    }

    /// <summary>
    /// An inherited connection we cannot serve: abort it (its mount would otherwise hang every caller and the stale
    /// mount check), close our copies and tell systemd to forget it, then mount afresh.
    /// </summary>
    private void DiscardInherited(int fuseFd, HandoverState? state, MountEntry? entry, string problem)
    {
        logger.LogWarning("not resuming the stored FUSE connection: {Problem}; mounting afresh", problem);
        if (entry is not null && entry.FileSystemType == "fuse.distrid" && (state is null || entry.DeviceMinor == state.ConnectionId))
        {
            FuseMount.AbortConnection(entry.DeviceMinor);
        }

        FdPassing.Close(fuseFd);
        state?.Dispose();
        notifier.Notify($"FDSTOREREMOVE=1\nFDNAME={FdStoreNames.Fuse}");
        notifier.Notify($"FDSTOREREMOVE=1\nFDNAME={FdStoreNames.FuseState}");
    }

    private void JournalNodeIds()
    {
        if (_handover is null)
        {
            return;
        }

        try
        {
            _handover.Append(journal.TakeNewRecords());
        }
        catch (IOException e)
        {
            // Without the journal a successor would misread node ids: better it remounts.
            logger.LogError("cannot journal node ids ({Error}); a restart will remount", e.Message);
            DropHandover();
        }
    }

    /// <summary>Stops handing the connection over: systemd forgets both descriptors.</summary>
    private void DropHandover()
    {
        ForgetStoredConnection();
        _handover?.Dispose();
        _handover = null;
    }

    private void ForgetStoredConnection()
    {
        _connectionStored = false;
        if (_handover is not null)
        {
            notifier.Notify($"FDSTOREREMOVE=1\nFDNAME={FdStoreNames.Fuse}");
            notifier.Notify($"FDSTOREREMOVE=1\nFDNAME={FdStoreNames.FuseState}");
        }
    }
}
