using System.Net.Sockets;
using Districtl.Cli;
using Distrid.Protocol;

namespace Districtl.Client;

/// <summary>A JSON-RPC connection to the daemon's socket, typed by the shared <see cref="IDistridApi"/> contract.</summary>
internal sealed class DaemonConnection : IAsyncDisposable
{
    private readonly StreamJsonRpc.JsonRpc _rpc;

    private DaemonConnection(StreamJsonRpc.JsonRpc rpc)
    {
        _rpc = rpc;
        // Named arguments, as docs/API.md shows scripts to send them.
        Api = rpc.Attach<IDistridApi>(new StreamJsonRpc.JsonRpcProxyOptions { ServerRequiresNamedArguments = true });
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

        var rpc = new StreamJsonRpc.JsonRpc(RpcConnection.CreateHandler(new NetworkStream(socket, ownsSocket: true)));
        rpc.StartListening();
        return new DaemonConnection(rpc);
    }

    public ValueTask DisposeAsync()
    {
        _rpc.Dispose();
        return ValueTask.CompletedTask;
    }
}
