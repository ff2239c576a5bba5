using System.CommandLine;

namespace Districtl.Cli;

/// <summary>Options every verb understands.</summary>
internal static class GlobalOptions
{
    public const string DefaultSocket = "/run/distrid/distrid.sock";

    public static readonly Option<string> Socket = new("--socket")
    {
        Description = "the daemon's socket (default: $DISTRID_SOCKET or " + DefaultSocket + ")",
        Recursive = true,
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable("DISTRID_SOCKET") is { Length: > 0 } s ? s : DefaultSocket,
    };

    public static readonly Option<bool> Json = new("--json")
    {
        Description = "print one JSON document on stdout, for scripts",
        Recursive = true,
    };
}
