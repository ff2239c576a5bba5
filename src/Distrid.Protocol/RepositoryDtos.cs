namespace Distrid.Protocol;

/// <summary>One configured repository, as <c>repo list</c> and the other <c>repo</c> verbs answer.</summary>
public sealed record RepositoryInfo
{
    /// <summary>The base URL, with a trailing slash.</summary>
    public required string Url { get; init; }

    public required bool Enabled { get; init; }

    /// <summary>The key id (16 hex characters, the start of its fingerprint) of the key that signed the index this
    /// daemon last verified; null before the first successful refresh.</summary>
    public string? Key { get; init; }

    /// <summary>For <c>repo add --key</c>: the full sha256 fingerprint of the key that was trusted.</summary>
    public string? Fingerprint { get; init; }

    /// <summary>Packages in the last verified index; null before the first successful refresh.</summary>
    public int? Packages { get; init; }

    /// <summary>When this daemon last fetched and verified the index (a 304 counts); null when it has not yet.</summary>
    public DateTimeOffset? LastRefresh { get; init; }

    /// <summary>Why the last refresh failed, when it did (one line).</summary>
    public string? Error { get; init; }
}
