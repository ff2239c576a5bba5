using Xunit.Abstractions;

namespace Distri.Core.Tests.Support;

/// <summary>Whether the machine offers what a test needs. Under CI=true a missing requirement fails the test;
/// elsewhere the test returns early with a message.</summary>
public static class TestEnvironment
{
    /// <summary>What the oracle tests that pack, loop-mount and unsquashfs an image need.</summary>
    public static readonly string[] MountOracleTools = ["unsquashfs", "mount", "umount"];

    public static bool IsCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    public static bool IsRoot => OperatingSystem.IsLinux() && Environment.IsPrivilegedProcess;

    /// <summary>What is missing (tools not found, "root"), or nothing; never fails. For fixtures that decide whether
    /// to build anything; the test itself then calls <see cref="Require"/>.</summary>
    public static IReadOnlyList<string> Missing(bool needsRoot, params string[] tools)
    {
        var missing = tools.Where(tool => !ProcessRunner.IsAvailable(tool)).ToList();
        if (needsRoot && !IsRoot)
        {
            missing.Add("root");
        }

        return missing;
    }

    /// <summary>True when every tool is available (and root when <paramref name="needsRoot"/>); otherwise fails under
    /// CI, or logs (to <paramref name="output"/>, else the console) and returns false.</summary>
    public static bool Require(ITestOutputHelper? output, bool needsRoot, params string[] tools)
    {
        IReadOnlyList<string> missing = Missing(needsRoot, tools);
        if (missing.Count == 0)
        {
            return true;
        }

        string message = $"test needs {string.Join(", ", missing)}";
        Xunit.Assert.False(IsCi, message + " (CI=true, so this is a failure)");
        if (output is null)
        {
            Console.WriteLine("skipped: " + message);
        }
        else
        {
            output.WriteLine("skipped: " + message);
        }

        return false;
    }
}
