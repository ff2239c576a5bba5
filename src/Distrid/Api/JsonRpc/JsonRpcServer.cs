using System.Diagnostics.CodeAnalysis;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using Distrid.Api.Authorization;
using Distrid.Api.Repositories;
using Distrid.Hosting;
using Distrid.Protocol;
using Distrid.Systemd;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using StreamJsonRpc;

namespace Distrid.Api.JsonRpc;

/// <summary>
/// Listens on the daemon's Unix socket and serves each connection with StreamJsonRpc behind our own bounded framing
/// (<see cref="BoundedMessageHandler"/>; newline-delimited JSON, see docs/API.md). The socket is world-connectable:
/// anyone may query, mutations are authorized per call, and every bound of <see cref="SocketLimits"/> holds per
/// connection, per uid and in total.
/// </summary>
internal sealed class JsonRpcServer(DaemonOptions options, DistridQueries queries, MutationRunner runner, RepositoryAdmin repositories, ListenFds listenFds, ILogger<JsonRpcServer> logger) : BackgroundService
{
    private readonly ConnectionLimiter _limiter = new(SocketLimits.MaxConnectionsPerUid, SocketLimits.MaxRootConnections, SocketLimits.MaxConnections);
    private readonly RequestValidator _validator = new(MethodSignatures.FromContract());
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
        UnixProcess peer;
        try
        {
            // Who the caller is comes from the kernel (SO_PEERCRED) once per connection, never from a request.
            peer = UnixProcess.FromPeer(client);
        }
        catch (Exception e) when (e is SocketException or IOException or UnauthorizedAccessException)
        {
            logger.LogDebug("dropping a client whose credentials cannot be read: {Error}", e.Message);
            client.Dispose();
            return;
        }

        if (!_limiter.TryAdmit(peer.Uid))
        {
            logger.LogDebug("refusing a connection of uid {Uid}: too many connections", peer.Uid);
            await RefuseAsync(client);
            return;
        }

        try
        {
            await using var stream = new NetworkStream(client, ownsSocket: true);
            // A zero-byte receive waits for the first request without a buffer: a connection that only sits there
            // costs a socket, not a dispatcher (measured: about 30 KB each once StreamJsonRpc is set up).
            await client.ReceiveAsync(Memory<byte>.Empty, SocketFlags.None, stoppingToken);
            var handler = new BoundedMessageHandler(stream, CreateFormatter(), _validator, logger);
            // Views of `run` live as long as this connection: districtl holds it open while its command runs.
            using var views = queries.Views.NewOwner($"socket connection of pid {peer.Pid}");
            using var rpc = new DaemonJsonRpc(handler, logger);
            // StreamJsonRpc raises Disconnected before it closes the stream: the client sees its end of the connection
            // close only once its views are gone.
            rpc.Disconnected += (_, _) => views.Dispose();
            AddApi(rpc, new JsonRpcApi(queries, runner, repositories, CallerIdentity.ForProcess(peer), views, logger));
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
        finally
        {
            _limiter.Release(peer.Uid);
        }
    }

    /// <summary>One error line, then close: the client learns why instead of waiting in a queue that never moves.</summary>
    private static async Task RefuseAsync(Socket client)
    {
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(1));
            await client.SendAsync(TooManyConnectionsLine, SocketFlags.None, timeout.Token);
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException)
        {
        }
        finally
        {
            client.Dispose();
        }
    }

    private static readonly byte[] TooManyConnectionsLine = Encoding.UTF8.GetBytes(
        "{\"jsonrpc\":\"2.0\",\"id\":null,\"error\":{\"code\":" + RpcErrorCodes.TooManyConnections.ToString(System.Globalization.CultureInfo.InvariantCulture)
        + ",\"message\":\"too many connections; try again later\"}}\n");

    /// <summary>
    /// Serves the contract on <paramref name="rpc"/>. StreamJsonRpc binds the methods by reflection and closes generic
    /// types over their parameter and result types at run time; under Native AOT that works for IDistridApi, whose
    /// interface methods are kept (the generic parameter is annotated) and whose types are all ProtocolJsonContext's.
    /// scripts/test.sh runs the daemon tests against the Native AOT daemon to hold that true.
    /// </summary>
    [UnconditionalSuppressMessage("AOT", "IL3050", Justification = "IDistridApi's parameter and result types are compiled ahead (see summary).")]
    private static void AddApi(StreamJsonRpc.JsonRpc rpc, IDistridApi api) => rpc.AddLocalRpcTarget<IDistridApi>(api, null);

    /// <summary>
    /// Newline-delimited JSON-RPC 2.0 with System.Text.Json, as the contract's clients speak it. Native AOT: our
    /// messages are source-generated; StreamJsonRpc's own envelope types go through the reflection resolver, which
    /// needs no generated code; the one converter it makes at run time (for IProgress&lt;ProgressInfo&gt;) is compiled
    /// ahead by NativeAot.rd.xml.
    /// </summary>
    [UnconditionalSuppressMessage("AOT", "IL3050", Justification = "See summary: source-generated messages, the progress converter rooted in NativeAot.rd.xml.")]
    [UnconditionalSuppressMessage("Trimming", "IL2026", Justification = "See summary: the reflection resolver only serves StreamJsonRpc's envelope types.")]
    internal static SystemTextJsonFormatter CreateFormatter()
    {
        var formatter = new SystemTextJsonFormatter();
        // Our messages are source-generated; StreamJsonRpc's own types fall back to reflection.
        formatter.JsonSerializerOptions.TypeInfoResolverChain.Insert(0, ProtocolJsonContext.Default);
        formatter.JsonSerializerOptions.TypeInfoResolverChain.Add(new DefaultJsonTypeInfoResolver());
        formatter.JsonSerializerOptions.PropertyNamingPolicy = JsonNamingPolicy.CamelCase;
        formatter.JsonSerializerOptions.DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull;
        return formatter;
    }
}
