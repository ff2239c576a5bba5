using Distri.Core.Interop;
using Distri.Core.SquashFs.Format;

namespace Distri.Core.SquashFs.Compression;

/// <summary>xz, decode only (images made by mksquashfs -comp xz), through the system's liblzma.</summary>
public sealed class XzCodec : BlockCodec
{
    public static readonly XzCodec Instance = new();

    public override CompressionId Id => CompressionId.Xz;

    public override bool CanCompress => false;

    public override IBlockCompressor CreateCompressor(int? level = null) =>
        throw new SquashFsException(SquashFsError.UnsupportedCompressor, "xz images can be read but not written");

    public override IBlockDecompressor CreateDecompressor() => new Decompressor();

    private sealed unsafe class Decompressor : IBlockDecompressor
    {
        // Bounds liblzma's dictionary allocation for a hostile block header; squashfs xz dictionaries are at most 1 MiB.
        private const ulong MemoryLimit = 64UL << 20;

        public int Decompress(ReadOnlySpan<byte> source, Span<byte> destination)
        {
            fixed (byte* src = source)
            fixed (byte* dst = destination)
            {
                ulong memlimit = MemoryLimit;
                nuint inPos = 0;
                nuint outPos = 0;
                int rc = NativeCompression.LzmaStreamBufferDecode(
                    &memlimit, 0, null, src, &inPos, (nuint)source.Length, dst, &outPos, (nuint)destination.Length);
                if (rc != NativeCompression.LzmaOk)
                {
                    throw new SquashFsException(SquashFsError.CorruptData, $"xz block does not decompress (lzma error {rc})");
                }

                return (int)outPos;
            }
        }

        public void Dispose()
        {
        }
    }
}
