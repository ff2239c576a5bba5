using System.Buffers;
using System.IO.Pipelines;

namespace Distrid.Api.JsonRpc;

/// <summary>What <see cref="BoundedLineReader.ReadLineAsync"/> found.</summary>
internal enum LineStatus
{
    /// <summary>A complete line (without "\n" or "\r\n"); release it with <see cref="BoundedLineReader.Release"/>.</summary>
    Line,

    /// <summary>The peer closed the connection (a final unterminated fragment is dropped: requests end with "\n").</summary>
    End,

    /// <summary>The line grew past the limit; nothing more of it was read.</summary>
    TooLong,

    /// <summary>A line was begun and not finished within the limit.</summary>
    TimedOut,
}

/// <summary>
/// Newline framing with a cap, over a pooled <see cref="PipeReader"/>. Each byte is scanned for "\n" once (linear in
/// what arrives, however it is split), at most <c>maxLineBytes</c> plus one read are held, and a begun line must end
/// within <c>lineTimeout</c>. A returned line stays valid until <see cref="Release"/>.
/// </summary>
internal sealed class BoundedLineReader : IDisposable
{
    private readonly PipeReader _reader;
    private readonly int _maxLineBytes;
    private readonly TimeSpan _lineTimeout;
    private readonly CancellationTokenSource _lineDeadline = new();
    private readonly CancellationTokenRegistration _onDeadline;
    private ReadOnlySequence<byte> _buffer;
    private bool _holdingBuffer;
    private bool _completed;
    private long _scanned;
    private bool _deadlineArmed;
    private SequencePosition _lineEnd;

    public BoundedLineReader(Stream stream, int maxLineBytes, TimeSpan lineTimeout)
    {
        _reader = PipeReader.Create(stream, new StreamPipeReaderOptions(bufferSize: 4 << 10, minimumReadSize: 1 << 10, leaveOpen: true, useZeroByteReads: true));
        _maxLineBytes = maxLineBytes;
        _lineTimeout = lineTimeout;
        _onDeadline = _lineDeadline.Token.Register(_reader.CancelPendingRead);
    }

    public async ValueTask<(LineStatus Status, ReadOnlySequence<byte> Line)> ReadLineAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            if (_holdingBuffer)
            {
                var newline = _buffer.Slice(_scanned).PositionOf((byte)'\n');
                if (newline is { } end)
                {
                    var line = _buffer.Slice(0, end);
                    if (line.Length > _maxLineBytes)
                    {
                        return (LineStatus.TooLong, default);
                    }

                    _lineEnd = _buffer.GetPosition(1, end);
                    _scanned = 0;
                    Disarm();
                    return (LineStatus.Line, WithoutCarriageReturn(line));
                }

                _scanned = _buffer.Length;
                if (_buffer.Length > _maxLineBytes)
                {
                    return (LineStatus.TooLong, default);
                }

                if (_completed)
                {
                    return (LineStatus.End, default);
                }

                // Nothing consumed, everything examined: the next read waits for new bytes.
                _reader.AdvanceTo(_buffer.Start, _buffer.End);
                _holdingBuffer = false;
                if (_buffer.Length > 0)
                {
                    Arm();
                }
            }

            var result = await _reader.ReadAsync(cancellationToken);
            if (result.IsCanceled)
            {
                return (LineStatus.TimedOut, default);
            }

            _buffer = result.Buffer;
            _completed = result.IsCompleted;
            _holdingBuffer = true;
        }
    }

    /// <summary>Gives back the line last returned (and the buffer under it); the next read starts after it.</summary>
    public void Release()
    {
        if (_holdingBuffer)
        {
            _reader.AdvanceTo(_lineEnd);
            _holdingBuffer = false;
        }
    }

    public void Dispose()
    {
        _onDeadline.Dispose();
        _lineDeadline.Dispose();
        _reader.Complete();
    }

    private static ReadOnlySequence<byte> WithoutCarriageReturn(ReadOnlySequence<byte> line) =>
        line.Length > 0 && line.Slice(line.Length - 1).FirstSpan[0] == (byte)'\r' ? line.Slice(0, line.Length - 1) : line;

    private void Arm()
    {
        if (!_deadlineArmed)
        {
            _lineDeadline.CancelAfter(_lineTimeout);
            _deadlineArmed = true;
        }
    }

    private void Disarm()
    {
        if (_deadlineArmed)
        {
            // If the deadline fired in this very moment, TryReset fails and the next read reports the timeout.
            _lineDeadline.TryReset();
            _deadlineArmed = false;
        }
    }
}
