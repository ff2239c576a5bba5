using Xunit.Abstractions;

namespace Distri.Core.Tests.Support;

/// <summary>Whether the machine offers what a test needs. Under CI=true a missing requirement fails the test;
/// elsewhere the test returns early with a message.</summary>
public static class TestEnvironment
{
    public static bool IsCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    public static bool IsRoot => Tmds.Linux.LibC.geteuid() == 0;

    /// <summary>True when every tool is on PATH (and root when <paramref name="needsRoot"/>); otherwise fails under CI
    /// or logs and returns false.</summary>
    public static bool Require(ITestOutputHelper? output, bool needsRoot, params string[] tools)
    {
        var missing = tools.Where(tool => !ProcessRunner.IsAvailable(tool)).ToList();
        if (needsRoot && !IsRoot)
        {
            missing.Add("root");
        }

        if (missing.Count == 0)
        {
            return true;
        }

        string message = $"test needs {string.Join(", ", missing)}";
        Assert.False(IsCi, message + " (CI=true, so this is a failure)");
        output?.WriteLine("skipped: " + message);
        return false;
    }
}
