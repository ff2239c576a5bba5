namespace Distrid.Api.Authorization;

/// <summary>What the authorizer decided.</summary>
internal enum AuthorizationDecision
{
    Allowed,

    /// <summary>No, or polkit could not be asked (unreachable, error, timeout): failing closed.</summary>
    Denied,

    /// <summary>Polkit would allow it after the user authenticates, but the caller did not allow interaction.</summary>
    ChallengeRequired,
}
