namespace Distrid.Tests.Support;

/// <summary>
/// Integration tests need root, /dev/fuse and real tools. Outside CI a machine without them skips the test body
/// with a message; with CI=true a missing requirement fails the test, so CI can never pass by skipping.
/// </summary>
public static class Requirements
{
    public static bool IsCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    /// <summary>True when the test can run as root with /dev/fuse; throws under CI when it cannot.</summary>
    public static bool RootWithFuse() => Check(Environment.IsPrivilegedProcess && File.Exists("/dev/fuse"), "root and /dev/fuse");

    public static bool Tool(string path) => Check(File.Exists(path), path);

    private static bool Check(bool available, string what)
    {
        if (available)
        {
            return true;
        }

        if (IsCi)
        {
            throw new InvalidOperationException($"this test needs {what}, which CI must provide");
        }

        Console.WriteLine($"skipped: needs {what}");
        return false;
    }
}
