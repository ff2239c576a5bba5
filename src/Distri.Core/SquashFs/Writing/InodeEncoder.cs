using System.Buffers.Binary;
using Distri.Core.FileTree;
using Distri.Core.SquashFs.Format;

namespace Distri.Core.SquashFs.Writing;

/// <summary>
/// Encodes inode records. The basic variants are used whenever they can say everything, as mksquashfs does; the
/// extended ones when a record needs an xattr id, a link count, 64-bit sizes or a directory index.
/// </summary>
internal static class InodeEncoder
{
    private const int HeaderSize = 16;
    private const ulong FourGiB = 1UL << 32;

    public static void WriteFile(MetadataWriter inodes, PreparedNode node)
    {
        var file = (SourceFile)node.Source;
        var layout = node.Layout!;
        bool extended = layout.BlocksStart >= FourGiB || (ulong)file.Length >= FourGiB || layout.SparseBytes > 0
            || node.LinkCount > 1 || node.XattrId != SquashFsLayout.NoXattr;
        Span<byte> record = stackalloc byte[HeaderSize + 40];
        Span<byte> body = record[HeaderSize..];
        int bodyLength;
        if (extended)
        {
            BinaryPrimitives.WriteUInt64LittleEndian(body, layout.BlocksStart);
            BinaryPrimitives.WriteUInt64LittleEndian(body[8..], (ulong)file.Length);
            BinaryPrimitives.WriteUInt64LittleEndian(body[16..], layout.SparseBytes);
            BinaryPrimitives.WriteUInt32LittleEndian(body[24..], node.LinkCount);
            BinaryPrimitives.WriteUInt32LittleEndian(body[28..], layout.FragmentIndex);
            BinaryPrimitives.WriteUInt32LittleEndian(body[32..], layout.FragmentOffset);
            BinaryPrimitives.WriteUInt32LittleEndian(body[36..], node.XattrId);
            bodyLength = 40;
        }
        else
        {
            BinaryPrimitives.WriteUInt32LittleEndian(body, (uint)layout.BlocksStart);
            BinaryPrimitives.WriteUInt32LittleEndian(body[4..], layout.FragmentIndex);
            BinaryPrimitives.WriteUInt32LittleEndian(body[8..], layout.FragmentOffset);
            BinaryPrimitives.WriteUInt32LittleEndian(body[12..], (uint)file.Length);
            bodyLength = 16;
        }

        WriteHeader(record, node, extended ? InodeType.ExtendedFile : InodeType.File);
        Begin(inodes, node);
        inodes.Write(record[..(HeaderSize + bodyLength)]);
        Span<byte> word = stackalloc byte[4];
        foreach (uint size in layout.BlockSizes)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(word, size);
            inodes.Write(word);
        }
    }

    public static void WriteSymlink(MetadataWriter inodes, PreparedNode node)
    {
        var link = (SourceSymlink)node.Source;
        bool extended = node.XattrId != SquashFsLayout.NoXattr;
        Span<byte> record = stackalloc byte[HeaderSize + 8];
        WriteHeader(record, node, extended ? InodeType.ExtendedSymlink : InodeType.Symlink);
        BinaryPrimitives.WriteUInt32LittleEndian(record[HeaderSize..], node.LinkCount);
        BinaryPrimitives.WriteUInt32LittleEndian(record[(HeaderSize + 4)..], (uint)link.Target.Length);
        Begin(inodes, node);
        inodes.Write(record);
        inodes.Write(link.Target);
        if (extended)
        {
            inodes.WriteUInt32(node.XattrId);
        }
    }

    /// <summary>Devices, fifos and sockets: a link count, a device number for devices, an xattr id when extended.</summary>
    public static void WriteSpecial(MetadataWriter inodes, PreparedNode node)
    {
        bool extended = node.XattrId != SquashFsLayout.NoXattr;
        Span<byte> record = stackalloc byte[HeaderSize + 12];
        WriteHeader(record, node, extended ? node.Kind.Extended() : node.Kind.Basic());
        int length = HeaderSize;
        BinaryPrimitives.WriteUInt32LittleEndian(record[length..], node.LinkCount);
        length += 4;
        if (node.Source is SourceDevice device)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(record[length..], EncodeDevice(device.Major, device.Minor));
            length += 4;
        }

        if (extended)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(record[length..], node.XattrId);
            length += 4;
        }

        Begin(inodes, node);
        inodes.Write(record[..length]);
    }

    /// <summary>A directory inode, given where its listing went and the index of a long listing.</summary>
    public static void WriteDirectory(MetadataWriter inodes, PreparedNode node, DirectoryListing listing)
    {
        uint fileSize = listing.Length + SquashFsLayout.DirectorySizeBias;
        bool extended = fileSize > ushort.MaxValue || listing.Index.Count > 0 || node.XattrId != SquashFsLayout.NoXattr;
        Span<byte> record = stackalloc byte[HeaderSize + 24];
        Span<byte> body = record[HeaderSize..];
        int bodyLength;
        if (extended)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(body, node.LinkCount);
            BinaryPrimitives.WriteUInt32LittleEndian(body[4..], fileSize);
            BinaryPrimitives.WriteUInt32LittleEndian(body[8..], listing.StartBlock);
            BinaryPrimitives.WriteUInt32LittleEndian(body[12..], node.ParentInodeNumber);
            BinaryPrimitives.WriteUInt16LittleEndian(body[16..], (ushort)listing.Index.Count);
            BinaryPrimitives.WriteUInt16LittleEndian(body[18..], listing.Offset);
            BinaryPrimitives.WriteUInt32LittleEndian(body[20..], node.XattrId);
            bodyLength = 24;
        }
        else
        {
            BinaryPrimitives.WriteUInt32LittleEndian(body, listing.StartBlock);
            BinaryPrimitives.WriteUInt32LittleEndian(body[4..], node.LinkCount);
            BinaryPrimitives.WriteUInt16LittleEndian(body[8..], (ushort)fileSize);
            BinaryPrimitives.WriteUInt16LittleEndian(body[10..], listing.Offset);
            BinaryPrimitives.WriteUInt32LittleEndian(body[12..], node.ParentInodeNumber);
            bodyLength = 16;
        }

        WriteHeader(record, node, extended ? InodeType.ExtendedDirectory : InodeType.Directory);
        Begin(inodes, node);
        inodes.Write(record[..(HeaderSize + bodyLength)]);
        if (extended)
        {
            Span<byte> entry = stackalloc byte[12];
            foreach (var index in listing.Index)
            {
                BinaryPrimitives.WriteUInt32LittleEndian(entry, index.ListingOffset);
                BinaryPrimitives.WriteUInt32LittleEndian(entry[4..], index.StartBlock);
                BinaryPrimitives.WriteUInt32LittleEndian(entry[8..], (uint)index.Name.Length - 1);
                inodes.Write(entry);
                inodes.Write(index.Name);
            }
        }
    }

    /// <summary>The kernel's new_encode_dev: minor's low byte, major, then minor's upper bits.</summary>
    public static uint EncodeDevice(uint major, uint minor) => (minor & 0xFF) | ((major & 0xFFF) << 8) | ((minor & ~0xFFu) << 12);

    private static void Begin(MetadataWriter inodes, PreparedNode node)
    {
        node.InodeReference = inodes.Reference;
        node.InodeWritten = true;
    }

    private static void WriteHeader(Span<byte> record, PreparedNode node, InodeType type)
    {
        BinaryPrimitives.WriteUInt16LittleEndian(record, (ushort)type);
        BinaryPrimitives.WriteUInt16LittleEndian(record[2..], node.Source.Permissions);
        BinaryPrimitives.WriteUInt16LittleEndian(record[4..], node.UidIndex);
        BinaryPrimitives.WriteUInt16LittleEndian(record[6..], node.GidIndex);
        BinaryPrimitives.WriteUInt32LittleEndian(record[8..], node.ModificationTime);
        BinaryPrimitives.WriteUInt32LittleEndian(record[12..], node.InodeNumber);
    }
}
