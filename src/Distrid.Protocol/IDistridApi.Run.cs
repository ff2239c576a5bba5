using StreamJsonRpc;

namespace Distrid.Protocol;

public partial interface IDistridApi
{
    /// <summary>
    /// Prepares what <c>districtl run</c> shows: a view of the exchange directories (<c>/ro/bin</c>, <c>/ro/lib</c>, ...)
    /// with the current generation's packages and the store packages <paramref name="with"/> chooses (<c>FULLNAME</c> or
    /// <c>NAME=FULLNAME</c>) winning, under <see cref="RunView.Path"/>. Nothing else changes: the caller bind-mounts the
    /// view's directories over the mountpoint's in a mount namespace of its own. The view lives as long as the
    /// connection that asked for it.
    /// </summary>
    [JsonRpcMethod(MethodNames.Run)]
    Task<RunView> RunAsync(IReadOnlyList<string>? with = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Closes view <paramref name="view"/> (its <see cref="RunView.Id"/>) of this connection now, rather than when the
    /// connection closes; true once it is gone. <c>districtl run</c> calls it when its command has exited.
    /// </summary>
    [JsonRpcMethod(MethodNames.RunEnd)]
    Task<bool> RunEndAsync(string view, CancellationToken cancellationToken = default);
}
