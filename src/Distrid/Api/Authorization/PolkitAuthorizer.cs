using Microsoft.Extensions.Logging;
using Tmds.DBus.Protocol;

namespace Distrid.Api.Authorization;

/// <summary>
/// Asks polkit (<c>org.freedesktop.PolicyKit1.Authority.CheckAuthorization</c> on the system bus) whether a caller
/// may perform an action. Root is allowed without the round trip. Anything but a clear "yes" from polkit is a no:
/// an unreachable polkit, an error reply or a timeout deny (fail closed).
/// </summary>
internal sealed class PolkitAuthorizer(ILogger<PolkitAuthorizer> logger, string? systemBusAddress = null) : IAuthorizer, IDisposable
{
    private const uint AllowUserInteraction = 1;
    private static readonly TimeSpan QuietTimeout = TimeSpan.FromSeconds(30);
    // A user typing a password into an authentication dialog needs far longer than a rule evaluation.
    private static readonly TimeSpan InteractiveTimeout = TimeSpan.FromMinutes(5);

    private readonly SemaphoreSlim _connecting = new(1, 1);
    private DBusConnection? _connection;

    public async Task<AuthorizationDecision> CheckAsync(CallerIdentity caller, string actionId, CancellationToken cancellationToken)
    {
        if (caller.IsRoot)
        {
            return AuthorizationDecision.Allowed;
        }

        try
        {
            var connection = await ConnectAsync(cancellationToken);
            var (authorized, challenge) = await connection
                .CallMethodAsync(CreateCheck(connection, caller, actionId), static (message, _) => ReadResult(message))
                .WaitAsync(caller.AllowInteraction ? InteractiveTimeout : QuietTimeout, cancellationToken);
            var decision = authorized ? AuthorizationDecision.Allowed
                : challenge ? AuthorizationDecision.ChallengeRequired : AuthorizationDecision.Denied;
            logger.LogInformation("polkit: {Action} for {Caller}: {Decision}", actionId, caller, decision);
            return decision;
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            logger.LogWarning("polkit could not decide {Action} for {Caller}, denying: {Error}", actionId, caller, e.Message);
            if (e is DBusConnectionException or TimeoutException)
            {
                await DropConnectionAsync();
            }

            return AuthorizationDecision.Denied;
        }
    }

    private async Task<DBusConnection> ConnectAsync(CancellationToken cancellationToken)
    {
        await _connecting.WaitAsync(cancellationToken);
        try
        {
            if (_connection is null)
            {
                var connection = new DBusConnection(systemBusAddress ?? SystemBus.Address);
                try
                {
                    await connection.ConnectAsync();
                }
                catch
                {
                    connection.Dispose();
                    throw;
                }

                _connection = connection;
            }

            return _connection;
        }
        finally
        {
            _connecting.Release();
        }
    }

    /// <summary>A broken connection is not reused: the next check reconnects (polkit or the bus may have restarted).</summary>
    private async Task DropConnectionAsync()
    {
        await _connecting.WaitAsync();
        try
        {
            _connection?.Dispose();
            _connection = null;
        }
        finally
        {
            _connecting.Release();
        }
    }

    private static MessageBuffer CreateCheck(DBusConnection connection, CallerIdentity caller, string actionId)
    {
        var writer = connection.GetMessageWriter();
        try
        {
            return WriteCheck(ref writer, caller, actionId);
        }
        finally
        {
            writer.Dispose();
        }
    }

    private static MessageBuffer WriteCheck(ref MessageWriter writer, CallerIdentity caller, string actionId)
    {
        writer.WriteMethodCallHeader(
            destination: "org.freedesktop.PolicyKit1",
            path: "/org/freedesktop/PolicyKit1/Authority",
            @interface: "org.freedesktop.PolicyKit1.Authority",
            member: "CheckAuthorization",
            signature: "(sa{sv})sa{ss}us");
        PolkitSubject.Write(ref writer, caller);
        writer.WriteString(actionId);
        var details = writer.WriteDictionaryStart();
        writer.WriteDictionaryEnd(details);
        writer.WriteUInt32(caller.AllowInteraction ? AllowUserInteraction : 0);
        writer.WriteString("");
        return writer.CreateMessage();
    }

    /// <summary>The reply is (is_authorized b, is_challenge b, details a{ss}); details are not needed.</summary>
    private static (bool Authorized, bool Challenge) ReadResult(Message message)
    {
        var reader = message.GetBodyReader();
        reader.AlignStruct();
        bool authorized = reader.ReadBool();
        bool challenge = reader.ReadBool();
        return (authorized, challenge);
    }

    public void Dispose()
    {
        _connection?.Dispose();
        _connecting.Dispose();
    }
}
