using StreamJsonRpc;

namespace Distrid.Protocol;

/// <summary>Repositories at run time: list, add, remove, enable and disable, persisted in the daemon's config file.</summary>
public partial interface IDistridApi
{
    /// <summary>Every configured repository, enabled or not, in the order they are consulted.</summary>
    [JsonRpcMethod(MethodNames.RepoList)]
    Task<IReadOnlyList<RepositoryInfo>> RepoListAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Adds the repository at <paramref name="url"/> after fetching its index and verifying the signature. With
    /// <paramref name="key"/> (a PEM public key, the text of a <c>.pub</c> file) the index must be signed by that key,
    /// and <paramref name="fingerprint"/> must repeat the key's sha256 fingerprint: the caller's confirmation that a
    /// person checked it. Without a key the index must be signed by a key already trusted. Any failure changes nothing.
    /// </summary>
    [JsonRpcMethod(MethodNames.RepoAdd)]
    Task<RepositoryInfo> RepoAddAsync(string url, string? key = null, string? fingerprint = null, CancellationToken cancellationToken = default);

    /// <summary>Forgets a repository. Installed generations and store images are untouched; its packages stop being offered.</summary>
    [JsonRpcMethod(MethodNames.RepoRemove)]
    Task<RepositoryInfo> RepoRemoveAsync(string url, CancellationToken cancellationToken = default);

    /// <summary>Consults a disabled repository again (its index is fetched and verified first).</summary>
    [JsonRpcMethod(MethodNames.RepoEnable)]
    Task<RepositoryInfo> RepoEnableAsync(string url, CancellationToken cancellationToken = default);

    /// <summary>Keeps a repository configured but stops offering its packages; installed generations are untouched.</summary>
    [JsonRpcMethod(MethodNames.RepoDisable)]
    Task<RepositoryInfo> RepoDisableAsync(string url, CancellationToken cancellationToken = default);
}
