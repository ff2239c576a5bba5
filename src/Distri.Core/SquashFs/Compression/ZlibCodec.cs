using Distri.Core.Interop;
using Distri.Core.SquashFs.Format;

namespace Distri.Core.SquashFs.Compression;

/// <summary>gzip in squashfs terms: a zlib (RFC 1950) stream per block, through the system's libz.</summary>
public sealed class ZlibCodec : BlockCodec
{
    /// <summary>mksquashfs' default gzip level.</summary>
    public const int DefaultLevel = 9;

    public static readonly ZlibCodec Instance = new();

    public override CompressionId Id => CompressionId.Zlib;

    public override IBlockCompressor CreateCompressor(int? level = null) => new Compressor(level ?? DefaultLevel);

    public override IBlockDecompressor CreateDecompressor() => new Decompressor();

    private sealed unsafe class Compressor(int level) : IBlockCompressor
    {
        public int Compress(ReadOnlySpan<byte> source, Span<byte> destination)
        {
            fixed (byte* src = source)
            fixed (byte* dst = destination)
            {
                nuint length = (nuint)destination.Length;
                int rc = NativeCompression.ZlibCompress2(dst, &length, src, (nuint)source.Length, level);
                if (rc == NativeCompression.ZBufError)
                {
                    return 0;
                }

                if (rc != NativeCompression.ZOk)
                {
                    throw new InvalidOperationException($"zlib compress2 failed ({rc})");
                }

                return length < (nuint)source.Length ? (int)length : 0;
            }
        }

        public void Dispose()
        {
        }
    }

    private sealed unsafe class Decompressor : IBlockDecompressor
    {
        public int Decompress(ReadOnlySpan<byte> source, Span<byte> destination)
        {
            fixed (byte* src = source)
            fixed (byte* dst = destination)
            {
                nuint length = (nuint)destination.Length;
                int rc = NativeCompression.ZlibUncompress(dst, &length, src, (nuint)source.Length);
                if (rc != NativeCompression.ZOk)
                {
                    throw new SquashFsException(SquashFsError.CorruptData, $"gzip block does not decompress (zlib error {rc})");
                }

                return (int)length;
            }
        }

        public void Dispose()
        {
        }
    }
}
