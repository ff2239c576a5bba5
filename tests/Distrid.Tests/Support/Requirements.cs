namespace Distrid.Tests.Support;

/// <summary>
/// Whether the machine offers what a test needs (root, /dev/fuse, tools), for both test projects (Distri.Core.Tests
/// links this file). A guard returns true when everything is there. Otherwise it skips the test with the reason,
/// so a run reports what it did not test; with CI=true it fails the test instead, so CI can never pass by skipping.
/// The guards keep their bool result so that <c>if (!Requirements.RootWithFuse()) return;</c> reads as before.
/// </summary>
public static class Requirements
{
    /// <summary>What the oracle tests that pack, loop-mount and unsquashfs an image need (with root).</summary>
    public static readonly string[] MountOracleTools = ["unsquashfs", "mount", "umount"];

    public static bool IsCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    public static bool IsRoot => Environment.IsPrivilegedProcess;

    /// <summary>Root and /dev/fuse.</summary>
    public static bool RootWithFuse() => Require(needsRoot: true, "/dev/fuse");

    /// <summary>One tool: an absolute path, or a program name looked up on PATH (and /usr/sbin, /sbin).</summary>
    public static bool Tool(string tool) => Require(needsRoot: false, tool);

    /// <summary>Every tool, without root.</summary>
    public static bool Tools(params string[] tools) => Require(needsRoot: false, tools);

    /// <summary>Root and every tool (paths or program names).</summary>
    public static bool RootWith(params string[] tools) => Require(needsRoot: true, tools);

    /// <summary>What is missing ("root", tools not found), or nothing; never skips or fails. For fixtures that decide
    /// whether to build anything; their tests then call a guard, which reports the reason.</summary>
    public static IReadOnlyList<string> Missing(bool needsRoot, params string[] tools)
    {
        var missing = new List<string>();
        if (needsRoot && !IsRoot)
        {
            missing.Add("root");
        }

        missing.AddRange(tools.Where(tool => !IsAvailable(tool)));
        return missing;
    }

    private static bool Require(bool needsRoot, params string[] tools)
    {
        IReadOnlyList<string> missing = Missing(needsRoot, tools);
        if (missing.Count == 0)
        {
            return true;
        }

        string reason = $"needs {string.Join(", ", missing)}";
        if (IsCi)
        {
            Assert.Fail($"this test {reason}, which CI must provide (CI=true)");
        }

        Assert.Skip(reason);
        return false;
    }

    private static bool IsAvailable(string tool) =>
        tool.Contains('/', StringComparison.Ordinal)
            ? File.Exists(tool)
            : (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
                .Append("/usr/sbin")
                .Append("/sbin")
                .Any(directory => File.Exists(Path.Combine(directory, tool)));
}
