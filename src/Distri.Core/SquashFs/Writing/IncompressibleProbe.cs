using Distri.Core.SquashFs.Compression;

namespace Distri.Core.SquashFs.Writing;

/// <summary>
/// Tells cheaply that a block will not shrink, so that it is stored raw without running the real compressor over
/// it: at zstd 15 or gzip 9 an incompressible block (already compressed data, random bytes) costs a third to a half
/// of a text block's time only to be stored raw anyway. The probe is zstd at level 1 (over 1 GB/s on such data):
/// first on the block's first 16 KiB, whose shrinking is enough to say "compress it"; otherwise on the whole block,
/// and only a block that level 1 cannot shrink at all is called incompressible. Such a block holds no repeats or
/// skewed bytes that the slower levels could turn into more than the few bytes of a frame's overhead, so it is the
/// block that they store raw too. One probe per thread: it keeps a compression context and a scratch buffer.
/// </summary>
internal sealed class IncompressibleProbe(int blockSize) : IDisposable
{
    private const int SampleSize = 16 << 10;
    private const int FastLevel = 1;

    private readonly IBlockCompressor _fast = ZstdCodec.Instance.CreateCompressor(FastLevel);
    private readonly byte[] _scratch = new byte[blockSize];

    public bool WillNotShrink(ReadOnlySpan<byte> block)
    {
        if (block.Length > SampleSize && _fast.Compress(block[..SampleSize], _scratch) > 0)
        {
            return false;
        }

        return _fast.Compress(block, _scratch) == 0;
    }

    public void Dispose() => _fast.Dispose();
}
