namespace Distrid.Api.Authorization;

/// <summary>A refused change; nothing was done. The message is one line: "not authorized: org.distrid.distrid1.install".</summary>
internal sealed class AuthorizationException(string actionId, AuthorizationDecision decision)
    : Exception(decision == AuthorizationDecision.ChallengeRequired
        ? $"not authorized: {actionId} (authentication required)"
        : $"not authorized: {actionId}")
{
    public string ActionId { get; } = actionId;

    public AuthorizationDecision Decision { get; } = decision;
}
