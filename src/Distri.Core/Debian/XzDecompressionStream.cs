using System.Runtime.InteropServices;

namespace Distri.Core.Debian;

/// <summary>
/// A read-only stream decoding .xz from an inner stream through liblzma, one 64 KiB input buffer at a time, so
/// memory stays bounded whatever the archive's size. The decoder's own memory is capped too (a hostile header
/// cannot make it allocate gigabytes).
/// </summary>
public sealed unsafe class XzDecompressionStream : Stream
{
    private const int InputBufferSize = 64 * 1024;
    private const ulong MemoryLimit = 512UL * 1024 * 1024;

    private readonly Stream _inner;
    private readonly bool _leaveOpen;
    private readonly byte* _input;
    private NativeLzma.LzmaStream* _lzma;
    private bool _innerFinished;
    private bool _finished;

    public XzDecompressionStream(Stream inner, bool leaveOpen = false)
    {
        _inner = inner ?? throw new ArgumentNullException(nameof(inner));
        _leaveOpen = leaveOpen;
        _lzma = (NativeLzma.LzmaStream*)NativeMemory.AllocZeroed((nuint)sizeof(NativeLzma.LzmaStream));
        _input = (byte*)NativeMemory.Alloc(InputBufferSize);
        int result = NativeLzma.StreamDecoder(_lzma, MemoryLimit, NativeLzma.Concatenated);
        if (result != NativeLzma.Ok)
        {
            NativeMemory.Free(_input);
            NativeMemory.Free(_lzma);
            _lzma = null;
            throw new InvalidDataException($"xz: cannot start the decoder (liblzma error {result})");
        }
    }

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        ObjectDisposedException.ThrowIf(_lzma is null, this);
        if (buffer.IsEmpty || _finished)
        {
            return 0;
        }

        fixed (byte* output = buffer)
        {
            _lzma->NextOut = output;
            _lzma->AvailOut = (nuint)buffer.Length;
            while (_lzma->AvailOut == (nuint)buffer.Length)
            {
                if (_lzma->AvailIn == 0 && !_innerFinished)
                {
                    int read = _inner.Read(new Span<byte>(_input, InputBufferSize));
                    _innerFinished = read == 0;
                    _lzma->NextIn = _input;
                    _lzma->AvailIn = (nuint)read;
                }

                int result = NativeLzma.Code(_lzma, _innerFinished ? NativeLzma.ActionFinish : NativeLzma.ActionRun);
                if (result == NativeLzma.StreamEnd)
                {
                    _finished = true;
                    break;
                }

                if (result != NativeLzma.Ok)
                {
                    throw new InvalidDataException($"xz: corrupt or truncated data (liblzma error {result})");
                }
            }

            return buffer.Length - (int)_lzma->AvailOut;
        }
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (_lzma is not null)
        {
            NativeLzma.End(_lzma);
            NativeMemory.Free(_lzma);
            NativeMemory.Free(_input);
            _lzma = null;
        }

        if (disposing && !_leaveOpen)
        {
            _inner.Dispose();
        }

        base.Dispose(disposing);
    }
}
