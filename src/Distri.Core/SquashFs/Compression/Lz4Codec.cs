using Distri.Core.Interop;
using Distri.Core.SquashFs.Format;

namespace Distri.Core.SquashFs.Compression;

/// <summary>lz4, decode only (images made by mksquashfs -comp lz4), through the system's liblz4.</summary>
public sealed class Lz4Codec : BlockCodec
{
    public static readonly Lz4Codec Instance = new();

    public override CompressionId Id => CompressionId.Lz4;

    public override bool CanCompress => false;

    public override IBlockCompressor CreateCompressor(int? level = null) =>
        throw new SquashFsException(SquashFsError.UnsupportedCompressor, "lz4 images can be read but not written");

    public override IBlockDecompressor CreateDecompressor() => new Decompressor();

    private sealed unsafe class Decompressor : IBlockDecompressor
    {
        public int Decompress(ReadOnlySpan<byte> source, Span<byte> destination)
        {
            fixed (byte* src = source)
            fixed (byte* dst = destination)
            {
                int rc = NativeCompression.Lz4DecompressSafe(src, dst, source.Length, destination.Length);
                if (rc < 0)
                {
                    throw new SquashFsException(SquashFsError.CorruptData, $"lz4 block does not decompress ({rc})");
                }

                return rc;
            }
        }

        public void Dispose()
        {
        }
    }
}
