using Distri.Core.SquashFs.Format;

namespace Distri.Core.SquashFs.Compression;

/// <summary>A SquashFS compressor: makes per-thread compressors and decompressors for one algorithm.</summary>
public abstract class BlockCodec
{
    /// <summary>The id written into the superblock.</summary>
    public abstract CompressionId Id { get; }

    /// <summary>False for algorithms we only decode (xz, lz4).</summary>
    public virtual bool CanCompress => true;

    /// <summary>A compressor at <paramref name="level"/>, or the algorithm's squashfs-tools default when null.</summary>
    public abstract IBlockCompressor CreateCompressor(int? level = null);

    public abstract IBlockDecompressor CreateDecompressor();

    /// <summary>The codec for an on-disk compressor id; lzo and lzma give a clear "unsupported compressor" error.</summary>
    public static BlockCodec For(CompressionId id) => id switch
    {
        CompressionId.Zlib => ZlibCodec.Instance,
        CompressionId.Zstd => ZstdCodec.Instance,
        CompressionId.Xz => XzCodec.Instance,
        CompressionId.Lz4 => Lz4Codec.Instance,
        CompressionId.None => NoneCodec.Instance,
        _ => throw new SquashFsException(SquashFsError.UnsupportedCompressor, $"unsupported compressor {id} (id {(ushort)id})"),
    };
}
