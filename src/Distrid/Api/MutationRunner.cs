using Distrid.Api.Authorization;
using Distrid.Generations;
using Distrid.Protocol;
using Distrid.Transactions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Distrid.Api;

/// <summary>
/// The one path every change takes, whichever front end it came from: authorize the caller for the request's
/// polkit action, build the operation, run it on the <see cref="TransactionService"/>. A refusal throws
/// <see cref="AuthorizationException"/> before anything is read or changed.
/// <para>
/// The cancellation token of <see cref="RunAsync"/> is the caller's: the front end cancels it on a
/// Ctrl-C and when the caller goes away (the socket closes, the unique name leaves the bus), so a transaction whose
/// only caller is gone stops at its next cancellation point (never inside the commit). A detached request instead
/// runs under the daemon's stopping token alone: it ends with the daemon's shutdown, not with its caller.
/// </para>
/// </summary>
internal sealed class MutationRunner(IAuthorizer authorizer, TransactionService transactions, IHostApplicationLifetime lifetime, ILogger<MutationRunner> logger)
{
    public async Task<TransactionResult> RunAsync(MutationRequest request, CallerIdentity caller, IProgress<ProgressInfo>? progress, CancellationToken cancellationToken)
    {
        if (request.Mode == TransactionMode.Commit || !request.PreparationUnchecked)
        {
            await AuthorizeAsync(caller, request.ActionId, cancellationToken);
        }

        logger.LogInformation("{Role} for {Caller} ({Mode}{Detached})", request.Role, caller, request.Mode, request.Detached ? ", detached" : "");
        var token = request.Detached ? lifetime.ApplicationStopping : cancellationToken;
        using var departure = request.Detached
            ? cancellationToken.Register(() => logger.LogInformation("{Role} for {Caller}: its caller cancelled or went away; running on (detached)", request.Role, caller))
            : default;
        try
        {
            var origin = new TransactionOrigin(caller.ToString(), caller.Uid, caller.BusName is null ? TransactionOrigin.Socket : TransactionOrigin.DBus);
            return await transactions.RunAsync(request.CreateOperation(), request.Mode, progress, token, caller.ToString(), request.Detached, origin);
        }
        catch (TransactionException e) when (!request.Detached && e.InnerException is OperationCanceledException && cancellationToken.IsCancellationRequested)
        {
            // Logged because nobody may be left to read the error: a SIGKILLed districtl, a client gone from the bus.
            logger.LogInformation("{Role} for {Caller} cancelled (its caller cancelled or went away); nothing changed", request.Role, caller);
            throw;
        }
    }

    /// <summary>Throws <see cref="AuthorizationException"/> unless <paramref name="caller"/> may do <paramref name="actionId"/>.</summary>
    public async Task AuthorizeAsync(CallerIdentity caller, string actionId, CancellationToken cancellationToken)
    {
        var decision = await authorizer.CheckAsync(caller, actionId, cancellationToken);
        if (decision != AuthorizationDecision.Allowed)
        {
            throw new AuthorizationException(actionId, decision);
        }
    }
}
