namespace Distrid.Repository;

/// <summary>
/// One repository of the configuration: its base URL, whether it is consulted, the client that fetches its index
/// and images, and how its last refresh went (for <c>repo list</c>).
/// </summary>
public sealed class ConfiguredRepository(Uri url, bool enabled, RepositoryClient client)
{
    private RefreshState _refresh = new(null, null);

    /// <summary>The base URL, with a trailing slash (how the config file stores it).</summary>
    public Uri Url { get; } = url;

    public bool Enabled { get; } = enabled;

    public RepositoryClient Client { get; } = client;

    /// <summary>When this daemon last fetched and verified the index; null before the first success.</summary>
    public DateTimeOffset? LastRefresh => Volatile.Read(ref _refresh).At;

    /// <summary>The last refresh's failure, cleared by a success.</summary>
    public string? LastError => Volatile.Read(ref _refresh).Error;

    /// <summary>The same repository with <paramref name="enabled"/>, keeping its client and its refresh record.</summary>
    public ConfiguredRepository WithEnabled(bool enabled) => new(Url, enabled, Client) { _refresh = Volatile.Read(ref _refresh) };

    internal void Refreshed() => Volatile.Write(ref _refresh, new RefreshState(DateTimeOffset.UtcNow, null));

    internal void Failed(string error) => Volatile.Write(ref _refresh, Volatile.Read(ref _refresh) with { Error = error });

    private sealed record RefreshState(DateTimeOffset? At, string? Error);
}
