using Distri.Core.SquashFs.Format;
using Distri.Core.SquashFs.Reading.Metadata;

namespace Distri.Core.SquashFs.Reading.Tables;

/// <summary>Fragment blocks: {start u64, size u32 (bit 24 = stored raw), unused u32} per entry, read on demand
/// through the (cached) metadata blocks.</summary>
internal sealed class FragmentTable(LookupTable? table, long imageEnd, uint blockSize)
{
    public long FirstBlock => table?.FirstBlock ?? long.MaxValue;

    public DataBlockLocation Get(uint index)
    {
        if (table is null || index >= table.Count)
        {
            throw new SquashFsException(SquashFsError.CorruptMetadata, $"fragment {index} does not exist");
        }

        MetadataCursor cursor = table.OpenEntry(index);
        ulong start = cursor.ReadUInt64();
        uint sizeWord = cursor.ReadUInt32();
        uint storedSize = sizeWord & ~SquashFsLayout.DataUncompressedFlag;
        if (storedSize == 0 || storedSize > blockSize || start > (ulong)imageEnd || storedSize > (ulong)imageEnd - start)
        {
            throw new SquashFsException(SquashFsError.CorruptMetadata, $"fragment {index} lies outside the image");
        }

        return new DataBlockLocation((long)start, sizeWord);
    }
}
