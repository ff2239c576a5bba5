using System.Buffers.Binary;
using Distri.Core.SquashFs.Format;

namespace Distri.Core.SquashFs.Writing;

/// <summary>One entry of a long directory's index: a header's offset in the listing, its block and first name.</summary>
internal readonly record struct DirectoryIndexEntry(uint ListingOffset, uint StartBlock, byte[] Name);

/// <summary>Where a directory's listing went in the directory table.</summary>
internal sealed record DirectoryListing(uint StartBlock, ushort Offset, uint Length, List<DirectoryIndexEntry> Index);

/// <summary>
/// Writes directory listings: runs of entries behind 12-byte headers {count - 1, inode block, base inode number}.
/// A new header starts when the children's inode block changes, after 256 entries, or when an inode number is too
/// far from the base for the signed 16-bit delta. Headers that begin in a new metadata block get an index entry,
/// which lets the kernel skip ahead in long directories.
/// </summary>
internal static class DirectoryTableWriter
{
    private const int HeaderSize = 12;
    private const int EntrySize = 8;

    public static DirectoryListing Write(MetadataWriter table, PreparedEntry[] entries)
    {
        ulong start = table.Reference;
        long startPayload = table.PayloadLength;
        var index = new List<DirectoryIndexEntry>();
        ulong indexedBlock = start >> 16;
        Span<byte> header = stackalloc byte[HeaderSize];
        Span<byte> entry = stackalloc byte[EntrySize];
        int i = 0;
        while (i < entries.Length)
        {
            var first = entries[i].Node;
            uint inodeBlock = (uint)(first.InodeReference >> 16);
            uint baseNumber = first.InodeNumber;
            int count = 1;
            while (i + count < entries.Length && count < SquashFsLayout.MaxEntriesPerDirectoryHeader)
            {
                var next = entries[i + count].Node;
                long delta = (long)next.InodeNumber - baseNumber;
                if ((uint)(next.InodeReference >> 16) != inodeBlock || delta < short.MinValue || delta > short.MaxValue)
                {
                    break;
                }

                count++;
            }

            ulong headerBlock = table.Reference >> 16;
            if (headerBlock != indexedBlock)
            {
                index.Add(new DirectoryIndexEntry((uint)(table.PayloadLength - startPayload), (uint)headerBlock, entries[i].Name));
                indexedBlock = headerBlock;
            }

            BinaryPrimitives.WriteUInt32LittleEndian(header, (uint)count - 1);
            BinaryPrimitives.WriteUInt32LittleEndian(header[4..], inodeBlock);
            BinaryPrimitives.WriteUInt32LittleEndian(header[8..], baseNumber);
            table.Write(header);
            for (int k = i; k < i + count; k++)
            {
                var node = entries[k].Node;
                BinaryPrimitives.WriteUInt16LittleEndian(entry, (ushort)(node.InodeReference & 0xFFFF));
                BinaryPrimitives.WriteInt16LittleEndian(entry[2..], (short)((long)node.InodeNumber - baseNumber));
                BinaryPrimitives.WriteUInt16LittleEndian(entry[4..], (ushort)node.Kind.Basic());
                BinaryPrimitives.WriteUInt16LittleEndian(entry[6..], (ushort)(entries[k].Name.Length - 1));
                table.Write(entry);
                table.Write(entries[k].Name);
            }

            i += count;
        }

        long length = table.PayloadLength - startPayload;
        if (length + SquashFsLayout.DirectorySizeBias > uint.MaxValue || (start >> 16) > uint.MaxValue)
        {
            throw new SquashFsException(SquashFsError.InvalidInput, "a directory listing is too large for SquashFS");
        }

        return new DirectoryListing((uint)(start >> 16), (ushort)(start & 0xFFFF), (uint)length, index);
    }
}
