using System.Net.Sockets;
using Distrid.Api.Authorization;
using Distrid.Hosting;
using Distrid.Protocol;
using Distrid.Systemd;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using StreamJsonRpc;

namespace Distrid.Api.JsonRpc;

/// <summary>
/// Listens on the daemon's Unix socket and serves each connection with StreamJsonRpc (newline-delimited JSON,
/// see docs/API.md). The socket is world-connectable: anyone may query, mutations are authorized per call.
/// </summary>
internal sealed class JsonRpcServer(DaemonOptions options, DistridQueries queries, MutationRunner runner, ListenFds listenFds, ILogger<JsonRpcServer> logger) : BackgroundService
{
    private Socket? _listener;
    private bool _ownsSocketPath;

    public override Task StartAsync(CancellationToken cancellationToken)
    {
        // Socket activation: systemd (distrid.socket) owns the listening socket and its path; otherwise bind our own.
        _listener = UnixSocketListener.AdoptOrBind(listenFds.TakeAny(FdStoreNames.ApiSocket), options.Socket, out _ownsSocketPath);
        logger.LogInformation("listening on {Socket}{Inherited}", _listener.LocalEndPoint, _ownsSocketPath ? "" : " (from systemd)");
        return base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var listener = _listener!;
        var connections = new List<Task>();
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                var client = await listener.AcceptAsync(stoppingToken);
                connections.RemoveAll(t => t.IsCompleted);
                connections.Add(ServeAsync(client, stoppingToken));
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            listener.Dispose();
            if (_ownsSocketPath)
            {
                UnixSocketListener.Remove(options.Socket);
            }
        }

        await Task.WhenAll(connections);
    }

    private async Task ServeAsync(Socket client, CancellationToken stoppingToken)
    {
        try
        {
            await using var stream = new NetworkStream(client, ownsSocket: true);
            // Who the caller is comes from the kernel (SO_PEERCRED) once per connection, never from a request.
            var caller = CallerIdentity.ForProcess(UnixProcess.FromPeer(client));
            using var rpc = new StreamJsonRpc.JsonRpc(RpcConnection.CreateHandler(stream));
            rpc.AddLocalRpcTarget<IDistridApi>(new JsonRpcApi(queries, runner, caller), null);
            // A closed connection cancels the calls it started: a transaction whose caller is gone stops (MutationRunner).
            rpc.CancelLocallyInvokedMethodsWhenConnectionIsClosed = true;
            rpc.StartListening();
            using var registration = stoppingToken.Register(rpc.Dispose);
            await rpc.Completion;
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or ConnectionLostException or OperationCanceledException)
        {
            logger.LogDebug("client connection ended: {Error}", e.Message);
        }
        catch (Exception e)
        {
            // One client's failure must never stop the daemon or other clients.
            logger.LogError(e, "client connection failed");
        }
    }
}
