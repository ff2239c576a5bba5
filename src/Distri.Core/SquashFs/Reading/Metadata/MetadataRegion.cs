using Distri.Core.SquashFs.Format;

namespace Distri.Core.SquashFs.Reading.Metadata;

/// <summary>A metadata table's [start, limit) span on disk; every cursor into it stays inside.</summary>
internal readonly struct MetadataRegion(MetadataBlockCache cache, long start, long limit)
{
    public long Start { get; } = start;

    public long Limit { get; } = limit;

    /// <summary>Upper bound of the decompressed bytes the region can hold (each stored block is at least 3 bytes and
    /// expands to at most 8 KiB); counts read from inodes are checked against it before anything is allocated.</summary>
    public long MaxDecodedBytes => ((Limit - Start) / 3 + 1) * SquashFsLayout.MetadataBlockSize;

    /// <summary>A cursor at a metadata reference: block position relative to the region start, offset inside it.</summary>
    public MetadataCursor Open(ulong relativeBlock, int offset)
    {
        // An offset equal to the block size is a saved position at the very end of a full block (the next read moves
        // on); references stored on disk are checked for < 8 KiB in OpenReference.
        if (relativeBlock >= (ulong)(Limit - Start) || offset < 0 || offset > SquashFsLayout.MetadataBlockSize)
        {
            throw new SquashFsException(
                SquashFsError.CorruptMetadata, $"metadata reference {relativeBlock}:{offset} lies outside its table");
        }

        return new MetadataCursor(cache, Start + (long)relativeBlock, offset, Limit);
    }

    /// <summary>A cursor at a 48-bit reference (block &lt;&lt; 16 | offset).</summary>
    public MetadataCursor OpenReference(ulong reference)
    {
        if (reference >> 48 != 0 || (reference & 0xFFFF) >= SquashFsLayout.MetadataBlockSize)
        {
            throw new SquashFsException(SquashFsError.CorruptMetadata, $"metadata reference 0x{reference:x} has bits above 48");
        }

        return Open(reference >> 16, (int)(reference & 0xFFFF));
    }

    /// <summary>A cursor at an absolute block position, as lookup-table indexes and saved positions give.</summary>
    public MetadataCursor OpenAbsolute(long blockPosition, int offset)
    {
        if (blockPosition < Start)
        {
            throw new SquashFsException(SquashFsError.CorruptMetadata, $"metadata block {blockPosition} precedes its table");
        }

        return Open((ulong)(blockPosition - Start), offset);
    }
}
