using System.Buffers.Binary;
using Distri.Core.SquashFs.Format;

namespace Distri.Core.SquashFs.Writing;

/// <summary>The lookup tables after the directory table: fragments, export, ids, xattrs - each metadata blocks
/// followed by the u64 positions of those blocks, which is what the superblock points at.</summary>
public sealed partial class SquashFsWriter
{
    private void WriteLookupTables(PreparedTree tree, ref Superblock superblock)
    {
        superblock.FragmentTableStart = SquashFsLayout.TableAbsent;
        if (_fragments is { Count: > 0 } fragments)
        {
            var table = new MetadataWriter(_metadataCompressor);
            fragments.WriteEntries(table);
            superblock.FragmentTableStart = WriteIndexedTable(table);
        }

        superblock.ExportTableStart = SquashFsLayout.TableAbsent;
        if (_options.ExportTable)
        {
            var table = new MetadataWriter(_metadataCompressor);
            foreach (var node in tree.ByInodeNumber)
            {
                table.WriteUInt64(node.InodeReference);
            }

            superblock.ExportTableStart = WriteIndexedTable(table);
        }

        var ids = new MetadataWriter(_metadataCompressor);
        foreach (uint id in _ids.Ids)
        {
            ids.WriteUInt32(id);
        }

        // The kernel insists that the id index ends exactly where the xattr data (or the image) begins.
        superblock.IdTableStart = WriteIndexedTable(ids);

        superblock.XattrIdTableStart = SquashFsLayout.TableAbsent;
        if (_xattrs.Entries.Count > 0)
        {
            superblock.XattrIdTableStart = WriteXattrTable();
        }
    }

    /// <summary>Writes the blocks of <paramref name="table"/>, then their positions; returns where the positions start.</summary>
    private ulong WriteIndexedTable(MetadataWriter table)
    {
        table.Finish();
        long blocksStart = _output.Position;
        table.CopyTo(_output);
        long indexStart = _output.Position;
        WriteBlockPositions(blocksStart, table.BlockStarts);
        return (ulong)indexStart;
    }

    private void WriteBlockPositions(long blocksStart, IReadOnlyList<long> blockStarts)
    {
        Span<byte> word = stackalloc byte[8];
        foreach (long start in blockStarts)
        {
            BinaryPrimitives.WriteUInt64LittleEndian(word, (ulong)(blocksStart + start));
            _output.Write(word);
        }
    }

    /// <summary>Key/value blocks, then the id entries {ref, count, size}, then {kv start, id count, 0, positions}.</summary>
    private ulong WriteXattrTable()
    {
        var keyValues = _xattrs.KeyValues;
        keyValues.Finish();
        long keyValuesStart = _output.Position;
        keyValues.CopyTo(_output);

        var ids = new MetadataWriter(_metadataCompressor);
        Span<byte> entry = stackalloc byte[16];
        foreach (var (reference, count, size) in _xattrs.Entries)
        {
            BinaryPrimitives.WriteUInt64LittleEndian(entry, reference);
            BinaryPrimitives.WriteUInt32LittleEndian(entry[8..], count);
            BinaryPrimitives.WriteUInt32LittleEndian(entry[12..], size);
            ids.Write(entry);
        }

        ids.Finish();
        long idsStart = _output.Position;
        ids.CopyTo(_output);

        long headerStart = _output.Position;
        BinaryPrimitives.WriteUInt64LittleEndian(entry, (ulong)keyValuesStart);
        BinaryPrimitives.WriteUInt32LittleEndian(entry[8..], (uint)_xattrs.Entries.Count);
        BinaryPrimitives.WriteUInt32LittleEndian(entry[12..], 0);
        _output.Write(entry);
        WriteBlockPositions(idsStart, ids.BlockStarts);
        return (ulong)headerStart;
    }
}
