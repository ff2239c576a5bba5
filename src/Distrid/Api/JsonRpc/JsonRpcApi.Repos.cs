using Distrid.Protocol;

namespace Distrid.Api.JsonRpc;

/// <summary>The <c>repo</c> methods: decode, hand the connection's caller to <see cref="Repositories.RepositoryAdmin"/>
/// (which authorizes as every other change does on the socket), map refusals as <see cref="Guard{T}"/> does.</summary>
internal sealed partial class JsonRpcApi
{
    public Task<IReadOnlyList<RepositoryInfo>> RepoListAsync(CancellationToken cancellationToken = default) =>
        Guard(MethodNames.RepoList, cancellationToken, () => Task.FromResult(repositories.List()));

    public Task<RepositoryInfo> RepoAddAsync(string url, string? key = null, string? fingerprint = null, CancellationToken cancellationToken = default) =>
        Guard(MethodNames.RepoAdd, cancellationToken, () => repositories.AddAsync(caller, url, key, fingerprint, cancellationToken));

    public Task<RepositoryInfo> RepoRemoveAsync(string url, CancellationToken cancellationToken = default) =>
        Guard(MethodNames.RepoRemove, cancellationToken, () => repositories.RemoveAsync(caller, url, cancellationToken));

    public Task<RepositoryInfo> RepoEnableAsync(string url, CancellationToken cancellationToken = default) =>
        Guard(MethodNames.RepoEnable, cancellationToken, () => repositories.SetEnabledAsync(caller, url, true, cancellationToken));

    public Task<RepositoryInfo> RepoDisableAsync(string url, CancellationToken cancellationToken = default) =>
        Guard(MethodNames.RepoDisable, cancellationToken, () => repositories.SetEnabledAsync(caller, url, false, cancellationToken));
}
