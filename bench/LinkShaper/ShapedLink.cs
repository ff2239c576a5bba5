using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace LinkShaper;

/// <summary>
/// A listener on 127.0.0.1 that forwards every connection to 127.0.0.1:<c>targetPort</c> through a shaped link: each
/// direction is delayed by half the round trip and paced by one rate shared among all connections, and a new
/// connection's first bytes wait one extra round trip, as a TCP handshake costs. Only loopback, by construction.
/// </summary>
public sealed class ShapedLink : IAsyncDisposable
{
    private readonly Socket _listener;
    private readonly LinkProfile _profile;
    private readonly int _targetPort;
    private readonly LinkPacer _up;
    private readonly LinkPacer _down;
    private readonly int _chunkSize;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentDictionary<int, Task> _connections = new();
    private readonly Task _acceptLoop;
    private long _bytesUp;
    private long _bytesDown;
    private int _connectionCount;

    private ShapedLink(LinkProfile profile, int targetPort, int listenPort)
    {
        _profile = profile;
        _targetPort = targetPort;
        _up = new LinkPacer(profile.BytesPerSecond);
        _down = new LinkPacer(profile.BytesPerSecond);
        _chunkSize = LinkPacer.ChunkSize(profile.BytesPerSecond);
        _listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        _listener.Bind(new IPEndPoint(IPAddress.Loopback, listenPort));
        _listener.Listen(512);
        Port = ((IPEndPoint)_listener.LocalEndPoint!).Port;
        _acceptLoop = AcceptLoopAsync();
    }

    /// <summary>Starts listening on 127.0.0.1:<paramref name="listenPort"/> (0: any free port, see <see cref="Port"/>).</summary>
    public static ShapedLink Start(LinkProfile profile, int targetPort, int listenPort = 0) => new(profile, targetPort, listenPort);

    public int Port { get; }

    public LinkProfile Profile => _profile;

    /// <summary>Bytes that crossed the link towards the target (requests) and back (responses), and connections accepted.</summary>
    public long BytesUp => Interlocked.Read(ref _bytesUp);

    public long BytesDown => Interlocked.Read(ref _bytesDown);

    public int Connections => Volatile.Read(ref _connectionCount);

    /// <summary>How busy each direction was since the last call: one line each (see <see cref="LinkUsage"/>).</summary>
    public string TakeUsage() => _down.TakeUsage().Describe("down") + "; " + _up.TakeUsage().Describe("up");

    private async Task AcceptLoopAsync()
    {
        int id = 0;
        while (!_stop.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptAsync(_stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }
            Interlocked.Increment(ref _connectionCount);
            int key = id++;
            _connections[key] = ServeAsync(client).ContinueWith(_ => _connections.TryRemove(key, out Task? _), TaskScheduler.Default);
        }
    }

    private async Task ServeAsync(Socket client)
    {
        long accepted = Stopwatch.GetTimestamp();
        using Socket upstream = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        using (client)
        {
            using CancellationTokenSource abort = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
            try
            {
                client.NoDelay = true;
                upstream.NoDelay = true;
                await upstream.ConnectAsync(new IPEndPoint(IPAddress.Loopback, _targetPort), abort.Token);
                // SYN and SYN-ACK: the client's first bytes leave one round trip after it connected.
                long handshakeDone = accepted + (long)(_profile.RoundTrip.TotalSeconds * Stopwatch.Frequency);
                ShapedPipe up = new(client, upstream, _up, _profile, handshakeDone, _chunkSize);
                ShapedPipe down = new(upstream, client, _down, _profile, handshakeDone, _chunkSize);
                Task upTask = up.RunAsync(n => Interlocked.Add(ref _bytesUp, n), abort.Token);
                Task downTask = down.RunAsync(n => Interlocked.Add(ref _bytesDown, n), abort.Token);
                // A failure either way (a reset, the stop) ends the connection both ways.
                Task first = await Task.WhenAny(upTask, downTask);
                if (first.IsFaulted || first.IsCanceled)
                {
                    abort.Cancel();
                }
                await Task.WhenAll(upTask, downTask);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                // The peer went away or the link stops: close both ends, as a router forgets a dead flow.
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _listener.Dispose();
        await _acceptLoop;
        await Task.WhenAll(_connections.Values);
        _stop.Dispose();
    }
}
