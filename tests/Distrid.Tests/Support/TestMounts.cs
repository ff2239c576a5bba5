using Distrid.Fuse.Interop;
using Distrid.Fuse.Mounting;
using Distrid.Fuse.Protocol;

namespace Distrid.Tests.Support;

/// <summary>
/// Takes down what a test mounted under a directory of its own. A daemon killed on purpose (or a test that failed
/// half-way) leaves a dead FUSE mount (ENOTCONN) that nothing else removes, and its directory cannot be deleted
/// while it is mounted: detach it lazily (umount2 MNT_DETACH, which never waits on the dead server), then delete.
/// Only mounts at or below the given directory are touched.
/// </summary>
internal static class TestMounts
{
    /// <summary>Every mount point at or below <paramref name="directory"/>, deepest first.</summary>
    public static IReadOnlyList<string> Under(string directory)
    {
        string root = MountTable.Normalize(directory);
        return MountTable.ReadAll()
            .Select(entry => entry.MountPoint)
            .Where(mountPoint => mountPoint == root || mountPoint.StartsWith(root + "/", StringComparison.Ordinal))
            .Distinct()
            .OrderByDescending(mountPoint => mountPoint.Length)
            .ToList();
    }

    /// <summary>Lazily unmounts every mount at or below <paramref name="directory"/> (stacked mounts included).</summary>
    public static void Detach(string directory)
    {
        // A mount point can hold several stacked mounts; each umount2 takes the topmost, so repeat until none is left.
        for (int round = 0; round < 16; round++)
        {
            IReadOnlyList<string> mounts = Under(directory);
            if (mounts.Count == 0)
            {
                return;
            }

            foreach (string mountPoint in mounts)
            {
                int errno = MountCalls.DetachUnmount(mountPoint);
                if (errno != 0 && errno != Errno.EINVAL && errno != Errno.ENOENT)
                {
                    throw new IOException($"umount2 {mountPoint}: errno {errno}");
                }
            }
        }
    }

    /// <summary>Detaches every mount at or below <paramref name="directory"/>, then deletes it with its contents.</summary>
    public static void Remove(string directory)
    {
        Detach(directory);
        if (Directory.Exists(directory))
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
