using Xunit.Abstractions;

namespace Distrid.Tests.Fuse;

/// <summary>
/// Kernel FUSE tests need root and /dev/fuse. Without them a test returns early with a message, except under
/// CI=true, where missing requirements are a failure.
/// </summary>
internal static class FuseTestEnvironment
{
    public static bool IsAvailable(ITestOutputHelper output)
    {
        string? missing = null;
        if (!File.Exists("/dev/fuse"))
        {
            missing = "/dev/fuse is missing";
        }
        else if (Environment.UserName != "root" && !IsEffectiveRoot())
        {
            missing = "the tests are not running as root";
        }

        if (missing is null)
        {
            return true;
        }

        if (string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
        {
            Assert.Fail($"FUSE test requirements missing under CI: {missing}");
        }

        output.WriteLine($"Skipping: {missing}");
        return false;
    }

    private static bool IsEffectiveRoot()
    {
        string status = File.ReadAllText("/proc/self/status");
        return status.Contains("\nUid:\t0\t", StringComparison.Ordinal);
    }
}
