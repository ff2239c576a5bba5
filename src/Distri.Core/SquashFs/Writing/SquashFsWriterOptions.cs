using System.Globalization;
using System.Numerics;
using Distri.Core.SquashFs.Compression;
using Distri.Core.SquashFs.Format;

namespace Distri.Core.SquashFs.Writing;

/// <summary>How <see cref="SquashFsWriter"/> builds an image. The defaults match mksquashfs' defaults for zstd.</summary>
public sealed record SquashFsWriterOptions
{
    /// <summary>Zstd, Zlib (gzip) or None (every block stored raw).</summary>
    public CompressionId Compression { get; init; } = CompressionId.Zstd;

    /// <summary>The compression level; null means the squashfs-tools default (zstd 15, gzip 9).</summary>
    public int? CompressionLevel { get; init; }

    /// <summary>Data block size: a power of two from 4 KiB to 1 MiB.</summary>
    public int BlockSize { get; init; } = SquashFsLayout.DefaultBlockSize;

    /// <summary>Pack files smaller than a block together into fragment blocks.</summary>
    public bool Fragments { get; init; } = true;

    /// <summary>Store files with identical content once.</summary>
    public bool Deduplicate { get; init; } = true;

    /// <summary>The image's own time stamp; null means $SOURCE_DATE_EPOCH, else 0, so that images are reproducible.</summary>
    public uint? ModificationTime { get; init; }

    /// <summary>Write the inode lookup table that NFS export needs.</summary>
    public bool ExportTable { get; init; } = true;

    /// <summary>Threads compressing data blocks; 1 compresses on the writing thread.</summary>
    public int MaxParallelism { get; init; } = Environment.ProcessorCount;

    internal void Validate()
    {
        if (!BitOperations.IsPow2(BlockSize) || BlockSize < 1 << SquashFsLayout.MinBlockLog || BlockSize > 1 << SquashFsLayout.MaxBlockLog)
        {
            throw new SquashFsException(SquashFsError.InvalidInput, $"block size {BlockSize} is not a power of two from 4 KiB to 1 MiB");
        }

        if (Compression is not (CompressionId.None or CompressionId.Zlib or CompressionId.Zstd))
        {
            throw new SquashFsException(SquashFsError.UnsupportedCompressor, $"cannot write {Compression} images (use none, gzip or zstd)");
        }

        (int min, int max) = Compression == CompressionId.Zstd ? (1, 22) : (1, 9);
        if (CompressionLevel is int level && Compression != CompressionId.None && (level < min || level > max))
        {
            throw new SquashFsException(SquashFsError.InvalidInput, $"{Compression} level {level} is outside {min}..{max}");
        }

        if (MaxParallelism < 1)
        {
            throw new SquashFsException(SquashFsError.InvalidInput, "MaxParallelism must be at least 1");
        }
    }

    internal BlockCodec Codec => BlockCodec.For(Compression);

    internal uint ResolveModificationTime()
    {
        if (ModificationTime is uint time)
        {
            return time;
        }

        string? epoch = Environment.GetEnvironmentVariable("SOURCE_DATE_EPOCH");
        return uint.TryParse(epoch, NumberStyles.None, CultureInfo.InvariantCulture, out uint parsed) ? parsed : 0;
    }
}
