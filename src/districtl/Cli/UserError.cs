using Distri.Core.SquashFs;
using Districtl.Client;

namespace Districtl.Cli;

/// <summary>
/// Failures a user can cause and fix (bad names, missing files, corrupt images): reported as one line, no stack trace.
/// Anything else is a bug and keeps its stack trace.
/// </summary>
internal sealed class UserError(string message) : Exception(message)
{
    public static bool IsExpected(Exception e) =>
        e is UserError or SquashFsException or FormatException or IOException or UnauthorizedAccessException
            or ArgumentException or Distri.Core.Repository.RepositoryException or RemoteRpcException;

    public static string Describe(Exception e) => e switch
    {
        UnauthorizedAccessException => $"permission denied: {e.Message}",
        _ => e.Message,
    };
}
