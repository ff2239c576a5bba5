using Distri.Core.SquashFs;

namespace Districtl.Cli;

/// <summary>
/// Failures a user can cause and fix (bad names, missing files, corrupt images): reported as one line, no stack trace.
/// Anything else is a bug and keeps its stack trace.
/// </summary>
internal sealed class UserError(string message) : Exception(message)
{
    public static bool IsExpected(Exception e) =>
        e is UserError or SquashFsException or FormatException or IOException or UnauthorizedAccessException
            or ArgumentException or Distri.Core.Repository.RepositoryException or StreamJsonRpc.RemoteInvocationException or StreamJsonRpc.ConnectionLostException;

    public static string Describe(Exception e) => e switch
    {
        UnauthorizedAccessException => $"permission denied: {e.Message}",
        StreamJsonRpc.ConnectionLostException => "the daemon closed the connection before answering",
        _ => e.Message,
    };
}
