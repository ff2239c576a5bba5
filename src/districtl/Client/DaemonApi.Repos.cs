using Distrid.Protocol;

namespace Districtl.Client;

/// <summary>The <c>repo</c> methods of <see cref="IDistridApi"/> on the wire.</summary>
internal sealed partial class DaemonApi
{
    public Task<IReadOnlyList<RepositoryInfo>> RepoListAsync(CancellationToken cancellationToken = default) =>
        rpc.InvokeAsync(MethodNames.RepoList, null, Json.IReadOnlyListRepositoryInfo, null, cancellationToken);

    public Task<RepositoryInfo> RepoAddAsync(string url, string? key = null, string? fingerprint = null, CancellationToken cancellationToken = default) =>
        rpc.InvokeAsync(MethodNames.RepoAdd, w =>
        {
            w.WriteString("url"u8, url);
            if (key is not null)
            {
                w.WriteString("key"u8, key);
            }

            if (fingerprint is not null)
            {
                w.WriteString("fingerprint"u8, fingerprint);
            }
        }, Json.RepositoryInfo, null, cancellationToken);

    public Task<RepositoryInfo> RepoRemoveAsync(string url, CancellationToken cancellationToken = default) => OnUrl(MethodNames.RepoRemove, url, cancellationToken);

    public Task<RepositoryInfo> RepoEnableAsync(string url, CancellationToken cancellationToken = default) => OnUrl(MethodNames.RepoEnable, url, cancellationToken);

    public Task<RepositoryInfo> RepoDisableAsync(string url, CancellationToken cancellationToken = default) => OnUrl(MethodNames.RepoDisable, url, cancellationToken);

    private Task<RepositoryInfo> OnUrl(string method, string url, CancellationToken cancellationToken) =>
        rpc.InvokeAsync(method, w => w.WriteString("url"u8, url), Json.RepositoryInfo, null, cancellationToken);
}
