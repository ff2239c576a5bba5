using System.Globalization;
using Distrid.Fuse.Interop;
using Distrid.Fuse.Protocol;

namespace Distrid.Fuse.Mounting;

// Stale mounts and connection aborts: what is left when a server dies without unmounting.
public sealed partial class FuseMount
{
    private const string ConnectionsDirectory = "/sys/fs/fuse/connections";

    /// <summary>
    /// True when <paramref name="mountpoint"/> is a FUSE mount whose server is gone: statfs (or stat) fails with
    /// ENOTCONN. statfs is asked because stat may be answered from cached attributes even on a dead connection.
    /// Only mounts listed as fuse* in the mount table are probed, so a non-FUSE path is never touched.
    /// </summary>
    public static bool IsStale(string mountpoint)
    {
        MountEntry? entry = MountTable.Find(mountpoint);
        if (entry is null || !entry.FileSystemType.StartsWith("fuse", StringComparison.Ordinal))
        {
            return false;
        }

        return MountCalls.StatfsErrno(entry.MountPoint) == Errno.ENOTCONN
            || MountCalls.StatErrno(entry.MountPoint) == Errno.ENOTCONN;
    }

    /// <summary>
    /// Removes a stale mount (left by a dead daemon) at <paramref name="mountpoint"/> with a lazy unmount.
    /// Returns true when one was removed, false when there was none. Call before mounting at startup.
    /// </summary>
    public static bool CleanStaleMount(string mountpoint)
    {
        if (!IsStale(mountpoint))
        {
            return false;
        }

        string target = MountTable.Normalize(mountpoint);
        if (MountCalls.IsRoot)
        {
            int errno = MountCalls.DetachUnmount(target);
            if (errno != 0)
            {
                throw Errno.Exception(errno, $"umount2 {target}");
            }
        }
        else
        {
            Fusermount.Unmount(target);
        }

        return true;
    }

    /// <summary>
    /// Aborts this mount's connection through fusectl (/sys/fs/fuse/connections/N/abort), mounting fusectl when
    /// needed (root). Every pending and future request fails with ENOTCONN and the readers see ENODEV. Returns
    /// false when the connection is unknown or already gone.
    /// </summary>
    public bool AbortConnection() => ConnectionId is uint id && AbortConnection(id);

    /// <summary>Aborts connection <paramref name="connectionId"/> (the st_dev minor of its mount).</summary>
    public static bool AbortConnection(uint connectionId)
    {
        EnsureFusectl();
        string abort = Path.Combine(ConnectionsDirectory, connectionId.ToString(CultureInfo.InvariantCulture), "abort");
        if (!File.Exists(abort))
        {
            return false;
        }

        File.WriteAllText(abort, "1");
        return true;
    }

    private static void EnsureFusectl()
    {
        bool mounted = MountTable.ReadAll().Any(m => m.FileSystemType == "fusectl");
        if (!mounted && MountCalls.IsRoot)
        {
            _ = MountCalls.Mount("fusectl", ConnectionsDirectory, "fusectl", 0, string.Empty);
        }
    }
}
