using Distri.Core.SquashFs.Reading.Metadata;

namespace Distri.Core.SquashFs.Reading.Tables;

/// <summary>The NFS export table: inode number n maps to the inode reference stored at index n−1.</summary>
internal sealed class ExportTable(LookupTable table)
{
    public long FirstBlock => table.FirstBlock;

    public bool TryGet(uint inodeNumber, out ulong inodeRef)
    {
        if (inodeNumber == 0 || inodeNumber > table.Count)
        {
            inodeRef = 0;
            return false;
        }

        MetadataCursor cursor = table.OpenEntry(inodeNumber - 1L);
        inodeRef = cursor.ReadUInt64();
        return true;
    }
}
