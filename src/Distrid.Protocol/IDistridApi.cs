using PolyType;
using StreamJsonRpc;

namespace Distrid.Protocol;

/// <summary>
/// The daemon's JSON-RPC 2.0 contract on its Unix socket: one method per <c>districtl</c> verb, named as the verb.
/// Messages are newline-delimited JSON (see docs/API.md). Parameters are flat and named, so a script sends
/// <c>{"method":"list","params":{"available":true}}</c>. The same interface types the client's proxy.
/// </summary>
[JsonRpcContract]
[GenerateShape(IncludeMethods = MethodShapeFlags.PublicInstance)]
public partial interface IDistridApi
{
    /// <summary>The mount, the store, package counts and exchange-directory conflicts.</summary>
    [JsonRpcMethod(MethodNames.Status)]
    Task<StatusResult> StatusAsync(CancellationToken cancellationToken = default);

    /// <summary>The installed packages, or with <paramref name="available"/> what the repositories offer.</summary>
    [JsonRpcMethod(MethodNames.List)]
    Task<IReadOnlyList<PackageInfo>> ListAsync(bool available = false, CancellationToken cancellationToken = default);
}
