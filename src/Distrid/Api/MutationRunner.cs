using Distrid.Api.Authorization;
using Distrid.Generations;
using Distrid.Protocol;
using Distrid.Transactions;
using Distrid.Transactions.Scheduled;
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
internal sealed class MutationRunner(
    IAuthorizer authorizer, TransactionService transactions, ScheduledUpdates scheduled, IHostApplicationLifetime lifetime, ILogger<MutationRunner> logger)
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
            var result = await transactions.RunAsync(request.CreateOperation(), request.Mode, progress, token, caller.ToString(), request.Detached, origin);
            if (request.Detached && cancellationToken.IsCancellationRequested)
            {
                // Nobody is left to read the result of a detached run whose caller went away; the journal has it, and
                // only once the daemon is free for the next transaction.
                logger.LogInformation("{Role} for {Caller} (detached) finished: generation {Previous} -> {Generation}",
                    request.Role, caller, result.PreviousGeneration, result.Generation);
            }

            return result;
        }
        catch (TransactionException e) when (request.Detached && cancellationToken.IsCancellationRequested)
        {
            logger.LogInformation("{Role} for {Caller} (detached) failed: {Error}", request.Role, caller, e.Message);
            throw;
        }
        catch (TransactionException e) when (!request.Detached && e.InnerException is OperationCanceledException && cancellationToken.IsCancellationRequested)
        {
            // Logged because nobody may be left to read the error: a SIGKILLed districtl, a client gone from the bus.
            logger.LogInformation("{Role} for {Caller} cancelled (its caller cancelled or went away); nothing changed", request.Role, caller);
            throw;
        }
    }

    /// <summary>
    /// One scheduled update run for distrid-update.service, journaled with origin <c>timer</c>. Root only: the origin is
    /// the caller's claim, and only the service (which runs as root) makes it. Cancelled like any attached transaction
    /// when the caller goes away (the service stopped or killed): nothing changes and the next run starts over.
    /// </summary>
    public async Task<ScheduledUpdateResult> RunScheduledAsync(CallerIdentity caller, IProgress<ProgressInfo>? progress, CancellationToken cancellationToken)
    {
        if (!caller.IsRoot)
        {
            throw new TransactionException(TransactionError.NotAuthorized,
                "not authorized: only root starts the scheduled update (distrid-update.service); use 'districtl update' instead");
        }

        await AuthorizeAsync(caller, PolkitActions.Update, cancellationToken);
        logger.LogInformation("scheduled update for {Caller}", caller);
        return await scheduled.RunAsync(new TransactionOrigin(caller.ToString(), caller.Uid, TransactionOrigin.Timer), progress, cancellationToken);
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
