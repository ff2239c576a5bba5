using System.Buffers.Binary;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using LinkShaper;

namespace Distrid.Tests.Network;

/// <summary>
/// The bench's shaped link holds what it promises, since the WAN bench and the progress test judge against it: a
/// long transfer moves at the rate (within 5 %, plus what copying the bytes unshaped costs on this machine at the
/// time, measured in the same test), connections share one rate, and a small request pays the round trips (one for
/// the handshake, one for the request). Timed by design: the link's timing is what is under test.
/// </summary>
[Collection(nameof(LinkShaperTests))]
public sealed class LinkShaperTests
{
    [Fact]
    public async Task A_long_transfer_moves_at_the_links_rate()
    {
        await using ByteServer server = ByteServer.Start();
        TimeSpan overhead = await UnshapedTimeAsync(server, connections: 1, 7_500_000);
        await using ShapedLink link = ShapedLink.Start(new LinkProfile(20_000_000, TimeSpan.FromMilliseconds(40)), server.Port);

        // 3 s at 20 Mbit/s; timed from the first byte to the last, so the round trips do not count.
        Transfer transfer = await FetchAsync(link.Port, 7_500_000);

        double ideal = (transfer.Bytes - transfer.FirstChunk) * 8 / 20_000_000.0;
        AssertWithin(transfer.AfterFirstByte.TotalSeconds, ideal, overhead);
    }

    [Fact]
    public async Task Connections_share_one_rate()
    {
        await using ByteServer server = ByteServer.Start();
        TimeSpan overhead = await UnshapedTimeAsync(server, connections: 4, 6_250_000);
        await using ShapedLink link = ShapedLink.Start(new LinkProfile(100_000_000, TimeSpan.FromMilliseconds(10)), server.Port);

        long started = Stopwatch.GetTimestamp();
        Transfer[] transfers = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => FetchAsync(link.Port, 6_250_000)));
        double seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;

        // 25 MB at 100 Mbit/s: 2 s plus the two round trips of the handshake and the request.
        AssertWithin(seconds, (4 * 6_250_000 / 12_500_000.0) + 0.020, overhead);
        Assert.All(transfers, t => Assert.Equal(6_250_000, t.Bytes));
        Assert.Equal(4, link.Connections);
    }

    /// <summary>
    /// Never faster than the link allows (3 % for timer rounding), and at most 5 % slower plus what moving the same
    /// bytes through the shaper unshaped took in the same test: on a busy machine the copying itself takes time.
    /// </summary>
    private static void AssertWithin(double seconds, double ideal, TimeSpan overhead)
    {
        double most = (ideal * 1.05) + overhead.TotalSeconds;
        Assert.True(
            seconds >= ideal * 0.97 && seconds <= most,
            $"took {seconds:F3} s; the link allows {ideal:F3} s, and copying unshaped took {overhead.TotalSeconds:F3} s here (at most {most:F3} s)");
    }

    /// <summary>The same transfers through the shaper with no rate and no delay: the quiet baseline of this machine now.</summary>
    private static async Task<TimeSpan> UnshapedTimeAsync(ByteServer server, int connections, int bytes)
    {
        await using ShapedLink open = ShapedLink.Start(new LinkProfile(0, TimeSpan.Zero), server.Port);
        long started = Stopwatch.GetTimestamp();
        await Task.WhenAll(Enumerable.Range(0, connections).Select(_ => FetchAsync(open.Port, bytes)));
        return Stopwatch.GetElapsedTime(started);
    }

    [Fact]
    public async Task A_small_request_pays_the_handshake_and_its_round_trip()
    {
        await using ByteServer server = ByteServer.Start();
        TimeSpan rtt = TimeSpan.FromMilliseconds(40);
        await using ShapedLink link = ShapedLink.Start(new LinkProfile(1_000_000_000, rtt), server.Port);

        using Socket socket = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        long connecting = Stopwatch.GetTimestamp();
        await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, link.Port), TestContext.Current.CancellationToken);
        await RequestAsync(socket, 100);
        TimeSpan first = Stopwatch.GetElapsedTime(connecting);
        long again = Stopwatch.GetTimestamp();
        await RequestAsync(socket, 100);
        TimeSpan second = Stopwatch.GetElapsedTime(again);

        Assert.True(first >= 2 * rtt, $"connect and first request took {first.TotalMilliseconds:F1} ms, less than two round trips");
        Assert.True(second >= rtt, $"a request on an open connection took {second.TotalMilliseconds:F1} ms, less than a round trip");
        Assert.True(second < first, "the second request paid a handshake again");
    }

    [Fact]
    public void Rates_and_durations_parse_as_written_and_nonsense_is_refused()
    {
        Assert.Equal(100_000_000, LinkProfile.ParseRate("100mbit"));
        Assert.Equal(1_000_000_000, LinkProfile.ParseRate("1gbit"));
        Assert.Equal(20_000, LinkProfile.ParseRate("20kbit"));
        Assert.Equal(TimeSpan.FromMilliseconds(40), LinkProfile.ParseDuration("40ms"));
        Assert.Equal(TimeSpan.FromMilliseconds(10), LinkProfile.ParseDuration("0.01s"));
        Assert.Throws<FormatException>(() => LinkProfile.ParseRate("fast"));
        Assert.Throws<FormatException>(() => LinkProfile.ParseDuration("-5ms"));
    }

    private readonly record struct Transfer(long Bytes, long FirstChunk, TimeSpan AfterFirstByte);

    private static async Task<Transfer> FetchAsync(int port, int bytes)
    {
        using Socket socket = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port), TestContext.Current.CancellationToken);
        byte[] request = new byte[4];
        BinaryPrimitives.WriteInt32BigEndian(request, bytes);
        await socket.SendAsync(request, SocketFlags.None, TestContext.Current.CancellationToken);
        byte[] buffer = new byte[64 * 1024];
        long total = 0, firstChunk = 0, firstAt = 0;
        while (total < bytes)
        {
            int n = await socket.ReceiveAsync(buffer, SocketFlags.None, TestContext.Current.CancellationToken);
            Assert.NotEqual(0, n);
            if (total == 0)
            {
                firstChunk = n;
                firstAt = Stopwatch.GetTimestamp();
            }
            total += n;
        }
        return new Transfer(total, firstChunk, Stopwatch.GetElapsedTime(firstAt));
    }

    private static async Task RequestAsync(Socket socket, int bytes)
    {
        byte[] request = new byte[4];
        BinaryPrimitives.WriteInt32BigEndian(request, bytes);
        await socket.SendAsync(request, SocketFlags.None, TestContext.Current.CancellationToken);
        byte[] buffer = new byte[bytes];
        int total = 0;
        while (total < bytes)
        {
            int n = await socket.ReceiveAsync(buffer.AsMemory(total), SocketFlags.None, TestContext.Current.CancellationToken);
            Assert.NotEqual(0, n);
            total += n;
        }
    }

    /// <summary>A server on 127.0.0.1 that answers each 4-byte big-endian length with that many bytes.</summary>
    private sealed class ByteServer : IAsyncDisposable
    {
        private readonly Socket _listener = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        private readonly CancellationTokenSource _stop = new();
        private readonly List<Task> _clients = [];
        private Task _accepting = Task.CompletedTask;

        public int Port { get; private set; }

        public static ByteServer Start()
        {
            ByteServer server = new();
            server._listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            server._listener.Listen(16);
            server.Port = ((IPEndPoint)server._listener.LocalEndPoint!).Port;
            server._accepting = server.AcceptAsync();
            return server;
        }

        private async Task AcceptAsync()
        {
            try
            {
                while (true)
                {
                    Socket client = await _listener.AcceptAsync(_stop.Token);
                    lock (_clients)
                    {
                        _clients.Add(ServeAsync(client));
                    }
                }
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
            }
        }

        private async Task ServeAsync(Socket client)
        {
            using (client)
            {
                byte[] request = new byte[4];
                byte[] payload = new byte[64 * 1024];
                Random.Shared.NextBytes(payload);
                try
                {
                    while (true)
                    {
                        int got = 0;
                        while (got < 4)
                        {
                            int n = await client.ReceiveAsync(request.AsMemory(got), SocketFlags.None, _stop.Token);
                            if (n == 0)
                            {
                                return;
                            }
                            got += n;
                        }
                        int left = BinaryPrimitives.ReadInt32BigEndian(request);
                        while (left > 0)
                        {
                            left -= await client.SendAsync(payload.AsMemory(0, Math.Min(left, payload.Length)), SocketFlags.None, _stop.Token);
                        }
                    }
                }
                catch (Exception e) when (e is OperationCanceledException or SocketException)
                {
                }
            }
        }

        public async ValueTask DisposeAsync()
        {
            _stop.Cancel();
            _listener.Dispose();
            await _accepting;
            Task[] clients;
            lock (_clients)
            {
                clients = [.. _clients];
            }
            await Task.WhenAll(clients);
            _stop.Dispose();
        }
    }
}

/// <summary>The shaper's timing tests run alone, not beside other test classes competing for the same 2 CPUs.</summary>
[CollectionDefinition(nameof(LinkShaperTests), DisableParallelization = true)]
public sealed class LinkShaperTestsCollection;
