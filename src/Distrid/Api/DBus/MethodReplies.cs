using Distrid.Api.Authorization;
using Distrid.Transactions;
using Microsoft.Extensions.Logging;
using Tmds.DBus.Protocol;

namespace Distrid.Api.DBus;

/// <summary>
/// Runs a method call off the connection's reader (Tmds.DBus reads no further message until a handler returns,
/// so a handler that awaits the bus or the store must go asynchronous) and turns refusals into D-Bus errors.
/// </summary>
internal static class MethodReplies
{
    /// <summary>Writes a reply's body. MessageWriter is a ref struct, so body writers take it by reference.</summary>
    public delegate void BodyWriter(ref MessageWriter writer);

    public static void Reply(MethodContext context, string? signature, BodyWriter body)
    {
        var writer = context.CreateReplyWriter(signature);
        try
        {
            body(ref writer);
            context.Reply(writer.CreateMessage());
        }
        finally
        {
            writer.Dispose();
        }
    }

    public static void RunDetached(MethodContext context, ILogger logger, Func<MethodContext, Task> handle)
    {
        context.DisposesAsynchronously = true;
        _ = RunAsync(context, logger, handle);
    }

    private static async Task RunAsync(MethodContext context, ILogger logger, Func<MethodContext, Task> handle)
    {
        try
        {
            await Task.Yield();
            await handle(context);
        }
        catch (Exception e)
        {
            ReplyError(context, logger, e);
        }
        finally
        {
            context.Dispose();
        }
    }

    /// <summary>Replies with the D-Bus error for <paramref name="e"/>: one line, never a stack trace.</summary>
    public static void ReplyError(MethodContext context, ILogger logger, Exception e)
    {
        var (name, message) = e switch
        {
            AuthorizationException { Decision: AuthorizationDecision.ChallengeRequired } a => (DBusErrors.InteractiveAuthorizationRequired, a.Message),
            AuthorizationException a => (DBusErrors.AccessDenied, a.Message),
            TransactionException { Error: TransactionError.NotAuthorized } t => (DBusErrors.AccessDenied, t.Message),
            TransactionException { Error: TransactionError.InvalidRequest } t => (DBusErrors.InvalidArgs, t.Message),
            TransactionException t => (DBusErrors.QueryFailed, t.Message),
            DBusReadException or DBusUnexpectedValueException => (DBusErrors.InvalidArgs, "invalid arguments: " + e.Message),
            _ => (DBusErrors.Failed, "internal error: " + e.Message),
        };
        if (name == DBusErrors.Failed)
        {
            logger.LogError(e, "D-Bus method {Member} failed", context.Request.MemberAsString);
        }

        context.ReplyError(name, message);
    }

    /// <summary>The error name for a transaction error, in the ErrorCode signal's vocabulary.</summary>
    public static string Code(TransactionError error) => error switch
    {
        TransactionError.Busy => "busy",
        TransactionError.NotFound => "not-found",
        TransactionError.NotInstalled => "not-installed",
        TransactionError.Needed => "needed",
        TransactionError.Dependency => "dependency",
        TransactionError.Download => "download",
        TransactionError.InvalidRequest => "invalid-request",
        TransactionError.NoSuchGeneration => "no-such-generation",
        TransactionError.Storage => "storage",
        TransactionError.NotAuthorized => "not-authorized",
        _ => "failed",
    };
}
