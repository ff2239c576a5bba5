using Distri.Core.Tests.Support;

namespace Distri.Core.Tests.SquashFs.Writing;

/// <summary>The kernel's squashfs driver as an independent reader of the writer's images.</summary>
internal static class KernelMount
{
    /// <summary>Loop-mounts <paramref name="image"/> read-only on a new directory <paramref name="mountPoint"/>, runs
    /// <paramref name="check"/> on it and unmounts, even when the check fails.</summary>
    public static void With(string image, string mountPoint, Action<string> check)
    {
        Directory.CreateDirectory(mountPoint);
        ProcessRunner.Run("mount", "-t", "squashfs", "-o", "loop,ro", image, mountPoint);
        try
        {
            check(mountPoint);
        }
        finally
        {
            ProcessRunner.Run("umount", mountPoint);
        }
    }
}
