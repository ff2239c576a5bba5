using System.Net.Sockets;
using Districtl.Cli;
using Distrid.Protocol;

namespace Districtl.Client;

/// <summary>
/// A JSON-RPC connection to the daemon's socket, typed by the shared <see cref="IDistridApi"/> contract. The client
/// is our own small one (<see cref="JsonRpcClient"/>), not StreamJsonRpc: setting that up cost every districtl
/// invocation about a quarter of a second, several times the daemon's answer.
/// </summary>
internal sealed class DaemonConnection : IAsyncDisposable
{
    private readonly JsonRpcClient _rpc;

    private DaemonConnection(JsonRpcClient rpc)
    {
        _rpc = rpc;
        Api = new DaemonApi(rpc);
    }

    public IDistridApi Api { get; }

    public static async Task<DaemonConnection> ConnectAsync(string socketPath, CancellationToken cancellationToken)
    {
        if (!File.Exists(socketPath))
        {
            throw new UserError($"no daemon socket at {socketPath} (is distrid running? --socket or $DISTRID_SOCKET names another)");
        }

        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), cancellationToken);
        }
        catch (SocketException e)
        {
            socket.Dispose();
            throw new UserError($"cannot reach the daemon at {socketPath}: {e.Message} (is distrid running?)");
        }

        return new DaemonConnection(new JsonRpcClient(new NetworkStream(socket, ownsSocket: true)));
    }

    public ValueTask DisposeAsync() => _rpc.DisposeAsync();
}
