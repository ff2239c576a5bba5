namespace Distrid.Tests.Support;

/// <summary>
/// How tests start distrid: the Release build through <c>dotnet</c>, or with <c>DISTRID_DAEMON</c> set to an
/// executable (the Native AOT daemon the .deb ships, see scripts/test.sh) that one instead, so that the same tests
/// check what users run.
/// </summary>
internal static class DaemonCommand
{
    /// <summary>The executable daemon named by DISTRID_DAEMON, or null for the build beside the tests.</summary>
    public static string? Executable { get; } = Environment.GetEnvironmentVariable("DISTRID_DAEMON") is { Length: > 0 } path ? path : null;

    /// <summary>The program and the arguments before the daemon's own.</summary>
    public static IReadOnlyList<string> Prefix =>
        Executable is { } executable ? [executable] : ["dotnet", Path.Combine(AppContext.BaseDirectory, "distrid.dll")];
}
