using System.Buffers;
using System.Diagnostics;
using System.Net.Sockets;
using System.Threading.Channels;

namespace LinkShaper;

/// <summary>
/// One direction of one shaped connection. The reader takes chunks off the source as the shared link has room for
/// them (the pacer's slot, the serialisation delay; up to the profile's lookahead early), stamps each with the time it may arrive (the slot's end plus the
/// one-way delay), and queues it; the writer hands each chunk to the destination at its stamp. Many chunks are in
/// flight at once, so the delay lengthens the path without lowering its throughput, as on a real link.
/// </summary>
internal sealed class ShapedPipe
{
    private readonly record struct Chunk(byte[]? Buffer, int Length, long DeliverAt);

    // Enough chunks in flight for a 10 Gbit/s link with a 100 ms one-way delay at 64 KiB a chunk.
    private const int MaxChunksInFlight = 2048;

    private readonly Socket _source;
    private readonly Socket _destination;
    private readonly LinkPacer _pacer;
    private readonly long _oneWayTicks;
    private readonly long _lookaheadTicks;
    private readonly long _notBefore;
    private readonly int _chunkSize;
    private readonly Channel<Chunk> _inFlight = Channel.CreateBounded<Chunk>(
        new BoundedChannelOptions(MaxChunksInFlight) { SingleReader = true, SingleWriter = true });
    private long _bytes;

    // notBefore: nothing arrives before this timestamp plus the one-way delay (the handshake).
    public ShapedPipe(Socket source, Socket destination, LinkPacer pacer, LinkProfile profile, long notBefore, int chunkSize)
    {
        _source = source;
        _destination = destination;
        _pacer = pacer;
        _oneWayTicks = (long)(profile.OneWay.TotalSeconds * Stopwatch.Frequency);
        _lookaheadTicks = (long)(profile.Lookahead.TotalSeconds * Stopwatch.Frequency);
        _notBefore = notBefore;
        _chunkSize = chunkSize;
    }

    public long Bytes => Interlocked.Read(ref _bytes);

    /// <summary>Moves data until the source ends (then half-closes the destination) or either side fails.</summary>
    public Task RunAsync(Action<long> counted, CancellationToken cancel) =>
        Task.WhenAll(ReadAsync(counted, cancel), WriteAsync(cancel));

    private async Task ReadAsync(Action<long> counted, CancellationToken cancel)
    {
        try
        {
            while (true)
            {
                byte[] buffer = ArrayPool<byte>.Shared.Rent(_chunkSize);
                int n;
                try
                {
                    n = await _source.ReceiveAsync(buffer.AsMemory(0, _chunkSize), SocketFlags.None, cancel);
                }
                catch
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                    throw;
                }
                long now = Stopwatch.GetTimestamp();
                if (n == 0)
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                    await _inFlight.Writer.WriteAsync(new Chunk(null, 0, Math.Max(now, _notBefore) + _oneWayTicks), cancel);
                    return;
                }
                long sent = _pacer.Reserve(n, now);
                await Clock.WaitUntilAsync(sent - _lookaheadTicks, cancel);
                Interlocked.Add(ref _bytes, n);
                counted(n);
                await _inFlight.Writer.WriteAsync(new Chunk(buffer, n, Math.Max(sent, _notBefore) + _oneWayTicks), cancel);
            }
        }
        finally
        {
            _inFlight.Writer.TryComplete();
        }
    }

    private async Task WriteAsync(CancellationToken cancel)
    {
        await foreach (Chunk chunk in _inFlight.Reader.ReadAllAsync(cancel))
        {
            await Clock.WaitUntilAsync(chunk.DeliverAt, cancel);
            if (chunk.Buffer is null)
            {
                _destination.Shutdown(SocketShutdown.Send);
                return;
            }
            try
            {
                int offset = 0;
                while (offset < chunk.Length)
                {
                    offset += await _destination.SendAsync(chunk.Buffer.AsMemory(offset, chunk.Length - offset), SocketFlags.None, cancel);
                }
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(chunk.Buffer);
            }
        }
    }
}
