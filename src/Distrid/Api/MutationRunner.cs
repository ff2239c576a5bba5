using Distrid.Api.Authorization;
using Distrid.Protocol;
using Distrid.Transactions;
using Microsoft.Extensions.Logging;

namespace Distrid.Api;

/// <summary>
/// The one path every change takes, whichever front end it came from: authorize the caller for the request's
/// polkit action, build the operation, run it on the <see cref="TransactionService"/>. A refusal throws
/// <see cref="AuthorizationException"/> before anything is read or changed.
/// </summary>
internal sealed class MutationRunner(IAuthorizer authorizer, TransactionService transactions, ILogger<MutationRunner> logger)
{
    public async Task<TransactionResult> RunAsync(MutationRequest request, CallerIdentity caller, IProgress<ProgressInfo>? progress, CancellationToken cancellationToken)
    {
        await AuthorizeAsync(caller, request.ActionId, cancellationToken);
        logger.LogInformation("{Role} for {Caller} ({Mode})", request.Role, caller, request.Mode);
        return await transactions.RunAsync(request.CreateOperation(), request.Mode, progress, cancellationToken);
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
