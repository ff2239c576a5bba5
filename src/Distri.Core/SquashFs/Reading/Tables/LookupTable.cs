using System.Buffers.Binary;
using Distri.Core.SquashFs.Format;
using Distri.Core.SquashFs.Reading.Metadata;

namespace Distri.Core.SquashFs.Reading.Tables;

/// <summary>
/// A table of fixed-size records (ids, fragments, export refs, xattr ids) stored in metadata blocks and found through
/// an uncompressed u64 list of block positions. The list is read and checked once when the image is opened.
/// </summary>
internal sealed class LookupTable
{
    /// <summary>Block lists up to this many entries (4 MiB of records) are read at open; longer ones are read entry
    /// by entry when used, so a hostile count cannot make the open allocate in proportion to the image.</summary>
    private const int EagerBlockLimit = 512;

    private readonly ImageAccess _access;
    private readonly MetadataRegion _region;
    private readonly long[]? _blocks;
    private readonly long _indexPosition;
    private readonly long _blockCount;
    private readonly int _entrySize;

    private LookupTable(ImageAccess access, MetadataRegion region, long indexPosition, long blockCount, long[]? blocks, int entrySize, long count)
    {
        _access = access;
        _region = region;
        _indexPosition = indexPosition;
        _blockCount = blockCount;
        _blocks = blocks;
        _entrySize = entrySize;
        Count = count;
        FirstBlock = blockCount == 0 ? long.MaxValue : BlockPosition(0);
    }

    public long Count { get; }

    /// <summary>Disk position of the first record block (tables before it end there).</summary>
    public long FirstBlock { get; }

    /// <summary>Checks the block list of a table of <paramref name="count"/> records of
    /// <paramref name="entrySize"/> bytes whose u64 list starts at <paramref name="indexPosition"/>; the record blocks
    /// lie between <paramref name="lowerBound"/> and the list.</summary>
    public static LookupTable Load(
        ImageAccess access, MetadataBlockCache cache, long indexPosition, long lowerBound, long count, int entrySize, string name)
    {
        long totalBytes = count * entrySize;
        long blockCount = (totalBytes + SquashFsLayout.MetadataBlockSize - 1) / SquashFsLayout.MetadataBlockSize;

        // The list must fit in the image, and each record block (3 bytes at least) must fit before the list.
        if (count < 0 || indexPosition < lowerBound || blockCount * 8 > access.End - indexPosition
            || blockCount > (indexPosition - lowerBound) / 3)
        {
            throw new SquashFsException(SquashFsError.CorruptMetadata, $"{name} table of {count} entries does not fit the image");
        }

        var region = new MetadataRegion(cache, lowerBound, indexPosition);
        if (blockCount > EagerBlockLimit)
        {
            return new LookupTable(access, region, indexPosition, blockCount, null, entrySize, count);
        }

        long[] blocks = new long[blockCount];
        Span<byte> word = stackalloc byte[8];
        for (int i = 0; i < blocks.Length; i++)
        {
            access.ReadExactly(indexPosition + (i * 8L), word);
            ulong position = BinaryPrimitives.ReadUInt64LittleEndian(word);
            if (position < (ulong)lowerBound || position >= (ulong)indexPosition || (i > 0 && (long)position <= blocks[i - 1]))
            {
                throw new SquashFsException(SquashFsError.CorruptMetadata, $"{name} table block {i} lies at an invalid position");
            }

            blocks[i] = (long)position;
        }

        return new LookupTable(access, region, indexPosition, blockCount, blocks, entrySize, count);
    }

    /// <summary>A cursor at record <paramref name="index"/>.</summary>
    public MetadataCursor OpenEntry(long index)
    {
        if (index < 0 || index >= Count)
        {
            throw new SquashFsException(SquashFsError.CorruptMetadata, $"table index {index} is out of range (count {Count})");
        }

        long byteOffset = index * _entrySize;
        long block = BlockPosition(byteOffset / SquashFsLayout.MetadataBlockSize);
        return _region.OpenAbsolute(block, (int)(byteOffset % SquashFsLayout.MetadataBlockSize));
    }

    private long BlockPosition(long blockIndex)
    {
        if (_blocks is not null)
        {
            return _blocks[blockIndex];
        }

        Span<byte> word = stackalloc byte[8];
        _access.ReadExactly(_indexPosition + (blockIndex * 8), word);
        ulong position = BinaryPrimitives.ReadUInt64LittleEndian(word);

        // The region check in OpenAbsolute bounds the position; a huge value must not wrap to a negative long first.
        return position > (ulong)_indexPosition ? _indexPosition : (long)position;
    }
}
