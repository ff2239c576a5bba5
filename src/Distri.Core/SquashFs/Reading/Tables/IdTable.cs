using Distri.Core.SquashFs.Reading.Metadata;

namespace Distri.Core.SquashFs.Reading.Tables;

/// <summary>The uid/gid table: at most 65,535 u32 ids, so it is read whole when the image is opened.</summary>
internal sealed class IdTable
{
    private readonly uint[] _ids;

    private IdTable(uint[] ids, long firstBlock)
    {
        _ids = ids;
        FirstBlock = firstBlock;
    }

    public int Count => _ids.Length;

    /// <summary>Disk position of the first id block (tables before it end there).</summary>
    public long FirstBlock { get; }

    public static IdTable Load(ImageAccess access, MetadataBlockCache cache, long indexPosition, long lowerBound, int count)
    {
        LookupTable table = LookupTable.Load(access, cache, indexPosition, lowerBound, count, 4, "id");
        uint[] ids = new uint[count];
        if (count > 0)
        {
            MetadataCursor cursor = table.OpenEntry(0);
            for (int i = 0; i < ids.Length; i++)
            {
                ids[i] = cursor.ReadUInt32();
            }
        }

        return new IdTable(ids, table.FirstBlock);
    }

    public uint Resolve(ushort index)
    {
        if (index >= _ids.Length)
        {
            throw new SquashFsException(SquashFsError.CorruptMetadata, $"id index {index} is out of range (count {_ids.Length})");
        }

        return _ids[index];
    }
}
