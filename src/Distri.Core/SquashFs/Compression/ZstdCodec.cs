using Distri.Core.SquashFs.Format;

namespace Distri.Core.SquashFs.Compression;

/// <summary>zstd through ZstdSharp; compressor and decompressor contexts are reused per thread.</summary>
public sealed class ZstdCodec : BlockCodec
{
    /// <summary>mksquashfs' default zstd level.</summary>
    public const int DefaultLevel = 15;

    public static readonly ZstdCodec Instance = new();

    public override CompressionId Id => CompressionId.Zstd;

    public override IBlockCompressor CreateCompressor(int? level = null) => new Compressor(level ?? DefaultLevel);

    public override IBlockDecompressor CreateDecompressor() => new Decompressor();

    private sealed class Compressor(int level) : IBlockCompressor
    {
        private readonly ZstdSharp.Compressor _context = new(level);

        public int Compress(ReadOnlySpan<byte> source, Span<byte> destination)
        {
            if (!_context.TryWrap(source, destination, out int written))
            {
                return 0;
            }

            return written < source.Length ? written : 0;
        }

        public void Dispose() => _context.Dispose();
    }

    private sealed class Decompressor : IBlockDecompressor
    {
        private readonly ZstdSharp.Decompressor _context = new();

        public int Decompress(ReadOnlySpan<byte> source, Span<byte> destination)
        {
            try
            {
                if (!_context.TryUnwrap(source, destination, out int written))
                {
                    throw new SquashFsException(SquashFsError.CorruptData, "zstd block is larger than the block size");
                }

                return written;
            }
            catch (ZstdSharp.ZstdException e)
            {
                throw new SquashFsException(SquashFsError.CorruptData, $"zstd block does not decompress: {e.Message}", e);
            }
        }

        public void Dispose() => _context.Dispose();
    }
}
