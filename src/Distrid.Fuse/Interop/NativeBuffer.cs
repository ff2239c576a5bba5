using System.Runtime.InteropServices;

namespace Distrid.Fuse.Interop;

/// <summary>
/// A page-aligned native buffer the kernel reads into or the reply writer writes from. Native memory never moves,
/// so no pinning is needed across read(2)/writev(2), and it puts no pressure on the GC.
/// </summary>
internal sealed unsafe class NativeBuffer : IDisposable
{
    private byte* _pointer;

    public NativeBuffer(int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(length);
        Length = length;
        _pointer = (byte*)NativeMemory.AlignedAlloc((nuint)length, 4096);
        NativeMemory.Clear(_pointer, (nuint)length);
    }

    public int Length { get; }

    public byte* Pointer => _pointer;

    public Span<byte> Span
    {
        get
        {
            ObjectDisposedException.ThrowIf(_pointer == null, this);
            return new Span<byte>(_pointer, Length);
        }
    }

    public void Dispose()
    {
        if (_pointer != null)
        {
            NativeMemory.AlignedFree(_pointer);
            _pointer = null;
        }
    }
}
