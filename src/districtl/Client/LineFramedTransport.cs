using System.Buffers;

namespace Districtl.Client;

/// <summary>
/// Moves newline-delimited messages over a duplex stream, the framing the daemon's JSON-RPC server uses (one JSON
/// object per line, <c>\n</c> after each). It knows nothing of JSON-RPC: it hands whole lines to a callback and
/// writes whole lines. One reader at a time; writers are serialized by the caller.
/// </summary>
internal sealed class LineFramedTransport(Stream stream) : IAsyncDisposable
{
    /// <summary>A message longer than this is no answer we could use: the peer is broken, not just chatty.</summary>
    public const int MaxLineBytes = 64 * 1024 * 1024;

    private const int InitialBufferBytes = 16 * 1024;
    private readonly ArrayBufferWriter<byte> _pending = new(1024);

    /// <summary>Reads lines until the peer closes the stream, calling <paramref name="onLine"/> for each (without its <c>\n</c>).</summary>
    /// <exception cref="InvalidDataException">A line longer than <see cref="MaxLineBytes"/>.</exception>
    public async Task ReadLinesAsync(LineHandler onLine, CancellationToken cancellationToken)
    {
        byte[] buffer = ArrayPool<byte>.Shared.Rent(InitialBufferBytes);
        try
        {
            int start = 0;   // first byte of the line being assembled
            int scanned = 0; // bytes from start already known to hold no newline
            int end = 0;     // end of the bytes read so far
            while (true)
            {
                if (end == buffer.Length)
                {
                    // Make room: first drop consumed lines, then grow (bounded).
                    if (start > 0)
                    {
                        buffer.AsSpan(start, end - start).CopyTo(buffer);
                        end -= start;
                        start = 0;
                    }
                    else
                    {
                        if (buffer.Length >= MaxLineBytes)
                        {
                            throw new InvalidDataException($"the daemon sent a message longer than {MaxLineBytes / (1024 * 1024)} MiB");
                        }

                        byte[] larger = ArrayPool<byte>.Shared.Rent(Math.Min(buffer.Length * 2, MaxLineBytes));
                        buffer.AsSpan(0, end).CopyTo(larger);
                        ArrayPool<byte>.Shared.Return(buffer);
                        buffer = larger;
                    }
                }

                int read = await stream.ReadAsync(buffer.AsMemory(end), cancellationToken);
                if (read == 0)
                {
                    return;
                }

                end += read;
                while (true)
                {
                    int newline = buffer.AsSpan(start + scanned, end - start - scanned).IndexOf((byte)'\n');
                    if (newline < 0)
                    {
                        scanned = end - start;
                        break;
                    }

                    var line = buffer.AsSpan(start, scanned + newline);
                    if (!line.IsEmpty && line[^1] == (byte)'\r')
                    {
                        line = line[..^1];
                    }

                    if (!line.IsEmpty)
                    {
                        onLine(line);
                    }

                    start += scanned + newline + 1;
                    scanned = 0;
                }

                if (start == end)
                {
                    start = end = 0;
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>
    /// The buffer the next outgoing message is written into (reused, so sending allocates nothing per message);
    /// <see cref="SendLineAsync"/> sends it. Not thread-safe: the caller serializes writers.
    /// </summary>
    public IBufferWriter<byte> Pending => _pending;

    /// <summary>Sends what was written to <see cref="Pending"/>, with its newline, in one write; then empties it.</summary>
    public async ValueTask SendLineAsync(CancellationToken cancellationToken)
    {
        _pending.Write("\n"u8);
        try
        {
            await stream.WriteAsync(_pending.WrittenMemory, cancellationToken);
            await stream.FlushAsync(cancellationToken);
        }
        finally
        {
            _pending.ResetWrittenCount();
        }
    }

    public ValueTask DisposeAsync() => stream.DisposeAsync();
}

/// <summary>Receives one line; the span is only valid during the call.</summary>
internal delegate void LineHandler(ReadOnlySpan<byte> line);
