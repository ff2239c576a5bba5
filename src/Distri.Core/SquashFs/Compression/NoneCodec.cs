using Distri.Core.SquashFs.Format;

namespace Distri.Core.SquashFs.Compression;

/// <summary>No compression: every block is stored raw. The superblock still names gzip, as mksquashfs -noI -noD does.</summary>
public sealed class NoneCodec : BlockCodec
{
    public static readonly NoneCodec Instance = new();

    public override CompressionId Id => CompressionId.Zlib;

    public override IBlockCompressor CreateCompressor(int? level = null) => new Compressor();

    public override IBlockDecompressor CreateDecompressor() => ZlibCodec.Instance.CreateDecompressor();

    private sealed class Compressor : IBlockCompressor
    {
        public int Compress(ReadOnlySpan<byte> source, Span<byte> destination) => 0;

        public void Dispose()
        {
        }
    }
}
