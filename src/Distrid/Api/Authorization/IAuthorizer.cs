namespace Distrid.Api.Authorization;

/// <summary>The one authorizer both front ends use for every change. Queries are never checked.</summary>
internal interface IAuthorizer
{
    Task<AuthorizationDecision> CheckAsync(CallerIdentity caller, string actionId, CancellationToken cancellationToken);
}
