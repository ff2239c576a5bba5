using System.Buffers;
using Distri.Core.SquashFs.Reading.Caching;

namespace Distri.Core.SquashFs.Reading.Data;

/// <summary>A decompressed data or fragment block in a pooled buffer. The cache holds one reference and every reader
/// copying from it holds another; the buffer returns to the pool when the last one lets go.</summary>
internal sealed class CachedBlock(byte[] buffer, int length) : ICacheEntry
{
    private int _references = 1;

    public ReadOnlySpan<byte> Bytes => buffer.AsSpan(0, length);

    public int Length => length;

    public long Weight => buffer.Length + 96;

    public void AddRef() => Interlocked.Increment(ref _references);

    public void Release()
    {
        if (Interlocked.Decrement(ref _references) == 0)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
