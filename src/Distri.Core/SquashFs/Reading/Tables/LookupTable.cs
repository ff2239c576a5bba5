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
    private readonly MetadataRegion _region;
    private readonly long[] _blocks;
    private readonly int _entrySize;

    private LookupTable(MetadataRegion region, long[] blocks, int entrySize, long count)
    {
        _region = region;
        _blocks = blocks;
        _entrySize = entrySize;
        Count = count;
    }

    public long Count { get; }

    /// <summary>Disk position of the first record block (tables before it end there).</summary>
    public long FirstBlock => _blocks.Length > 0 ? _blocks[0] : long.MaxValue;

    /// <summary>Reads and checks the block list of a table of <paramref name="count"/> records of
    /// <paramref name="entrySize"/> bytes whose u64 list starts at <paramref name="indexPosition"/>; the record blocks
    /// lie between <paramref name="lowerBound"/> and the list.</summary>
    public static LookupTable Load(
        ImageAccess access, MetadataBlockCache cache, long indexPosition, long lowerBound, long count, int entrySize, string name)
    {
        long totalBytes = count * entrySize;
        long blockCount = (totalBytes + SquashFsLayout.MetadataBlockSize - 1) / SquashFsLayout.MetadataBlockSize;

        // The list must fit in the image before we allocate it, which caps the allocation at the image size.
        if (count < 0 || indexPosition < lowerBound || blockCount * 8 > access.End - indexPosition)
        {
            throw new SquashFsException(SquashFsError.CorruptMetadata, $"{name} table of {count} entries does not fit the image");
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

        return new LookupTable(new MetadataRegion(cache, lowerBound, indexPosition), blocks, entrySize, count);
    }

    /// <summary>A cursor at record <paramref name="index"/>, which the caller has checked against <see cref="Count"/>.</summary>
    public MetadataCursor OpenEntry(long index)
    {
        if (index < 0 || index >= Count)
        {
            throw new SquashFsException(SquashFsError.CorruptMetadata, $"table index {index} is out of range (count {Count})");
        }

        long byteOffset = index * _entrySize;
        long block = _blocks[byteOffset / SquashFsLayout.MetadataBlockSize];
        return _region.OpenAbsolute(block, (int)(byteOffset % SquashFsLayout.MetadataBlockSize));
    }
}
