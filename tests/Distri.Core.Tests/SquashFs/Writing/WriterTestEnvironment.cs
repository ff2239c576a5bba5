namespace Distri.Core.Tests.SquashFs.Writing;

/// <summary>
/// Decides whether the oracle tests can run: they need root (devices, owners, trusted xattrs, loop mounts) and
/// squashfs-tools. Under CI=true a missing piece fails the test; elsewhere the test returns early with a note.
/// </summary>
internal static class WriterTestEnvironment
{
    public static bool IsCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    public static bool HasRootAndTools(out string reason)
    {
        if (!OperatingSystem.IsLinux() || Environment.UserName != "root")
        {
            reason = "needs root on Linux";
            return false;
        }

        foreach (string tool in new[] { "unsquashfs", "mount", "umount" })
        {
            if (WriterProcessRunner.FindTool(tool) is null)
            {
                reason = $"needs {tool} on PATH (apt-get install squashfs-tools mount)";
                return false;
            }
        }

        reason = "";
        return true;
    }

    /// <summary>True when the test may proceed; false (with a console note) when it should return early.</summary>
    public static bool Require()
    {
        if (HasRootAndTools(out string reason))
        {
            return true;
        }

        Assert.False(IsCi, $"CI=true but the writer oracle tests cannot run: {reason}");
        Console.WriteLine($"skipping writer oracle test: {reason}");
        return false;
    }
}
