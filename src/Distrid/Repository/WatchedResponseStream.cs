using System.Runtime.CompilerServices;

namespace Distrid.Repository;

/// <summary>
/// A response body read through the stall guard and a byte limit: a server that goes silent or trickles (see
/// <see cref="StallGuard"/>), or sends more than the index announced (an endless stream, a zstd bomb of skippable
/// frames), is stopped here, before any buffer grows. Reads allocate nothing: the state machine of a read that waits
/// is pooled, and the guard only counts.
/// </summary>
internal sealed class WatchedResponseStream : Stream
{
    private readonly Stream _inner;
    private readonly StallGuard _guard;
    private readonly long _limit;
    private readonly string _what;

    public WatchedResponseStream(Stream inner, StallGuard guard, long limit, string what)
    {
        _inner = inner;
        _guard = guard;
        _limit = limit;
        _what = what;
        guard.StartRateWatch();
    }

    /// <summary>Bytes read so far.</summary>
    public long BytesRead { get; private set; }

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => BytesRead;
        set => throw new NotSupportedException();
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        _guard.Arm();
        int n;
        try
        {
            // The guard's token is linked to the caller's; the token passed in (by a wrapping stream) is the same or weaker.
            n = await _inner.ReadAsync(buffer, _guard.Token).ConfigureAwait(false);
        }
        finally
        {
            _guard.Disarm();
        }

        _guard.Count(n);
        BytesRead += n;
        return BytesRead <= _limit
            ? n
            : throw new MirrorFailure(FailureKind.Permanent, $"{_what}: the server sent more than the {_limit} bytes the index announces");
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count) =>
        ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _inner.Dispose();
        }

        base.Dispose(disposing);
    }
}
