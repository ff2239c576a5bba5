using Distri.Core.SquashFs.Format;
using Distri.Core.SquashFs.Reading.Metadata;
using Distri.Core.SquashFs.Reading.Tables;

namespace Distri.Core.SquashFs.Reading.Inodes;

/// <summary>Decodes inodes from the inode table, checking every field against the superblock and the tables.</summary>
internal sealed class InodeDecoder(
    MetadataRegion inodes, IdTable ids, uint inodeCount, uint blockSize, long imageEnd, long xattrCount, long fragmentCount)
{
    /// <summary>A file's block list may not exceed this many entries (a 2 TiB file at 128 KiB blocks).</summary>
    private const long MaxBlockCount = 1L << 24;

    /// <summary>The common 16-byte header plus start block, nlink, file size, offset and parent.</summary>
    private const int BasicDirectoryInodeSize = 32;

    public InodeAttributes Decode(ulong inodeRef)
    {
        MetadataCursor cursor = inodes.OpenReference(inodeRef);
        var rawType = (InodeType)cursor.ReadUInt16();
        ushort permissions = cursor.ReadUInt16();
        ushort uidIndex = cursor.ReadUInt16();
        ushort gidIndex = cursor.ReadUInt16();
        uint mtime = cursor.ReadUInt32();
        uint inodeNumber = cursor.ReadUInt32();

        FileKind kind = rawType.ToKind()
            ?? throw new SquashFsException(SquashFsError.CorruptMetadata, $"inode 0x{inodeRef:x} has unknown type {(ushort)rawType}");
        if (inodeNumber == 0 || inodeNumber > inodeCount)
        {
            throw new SquashFsException(SquashFsError.CorruptMetadata, $"inode 0x{inodeRef:x} has invalid number {inodeNumber}");
        }

        var attributes = new InodeAttributes
        {
            InodeRef = inodeRef,
            Type = rawType,
            Kind = kind,
            Mode = kind.ModeTypeBits() | (permissions & 0xFFFu),
            Uid = ids.Resolve(uidIndex),
            Gid = ids.Resolve(gidIndex),
            ModificationTime = mtime,
            InodeNumber = inodeNumber,
            LinkCount = 1,
            XattrIndex = SquashFsLayout.NoXattr,
            FragmentIndex = SquashFsLayout.NoFragment,
        };

        attributes = rawType switch
        {
            InodeType.Directory => DecodeDirectory(ref cursor, attributes),
            InodeType.ExtendedDirectory => DecodeExtendedDirectory(ref cursor, attributes),
            InodeType.File => DecodeFile(ref cursor, attributes),
            InodeType.ExtendedFile => DecodeExtendedFile(ref cursor, attributes),
            InodeType.Symlink or InodeType.ExtendedSymlink => DecodeSymlink(ref cursor, attributes),
            InodeType.BlockDevice or InodeType.CharDevice => attributes with
            {
                LinkCount = cursor.ReadUInt32(),
                Rdev = cursor.ReadUInt32(),
            },
            InodeType.ExtendedBlockDevice or InodeType.ExtendedCharDevice => attributes with
            {
                LinkCount = cursor.ReadUInt32(),
                Rdev = cursor.ReadUInt32(),
                XattrIndex = cursor.ReadUInt32(),
            },
            InodeType.Fifo or InodeType.Socket => attributes with { LinkCount = cursor.ReadUInt32() },
            _ => attributes with { LinkCount = cursor.ReadUInt32(), XattrIndex = cursor.ReadUInt32() },
        };

        if (attributes.HasXattrs && attributes.XattrIndex >= xattrCount)
        {
            throw new SquashFsException(SquashFsError.CorruptMetadata, $"inode {inodeNumber} names xattr set {attributes.XattrIndex}, which does not exist");
        }

        return attributes;
    }

    /// <summary>
    /// The reference of the inode stored right after <paramref name="a"/> in the table, for regular files and basic
    /// directories (the inodes a packer writes between the files of neighbouring directories). False for other
    /// kinds and at the end of the table.
    /// </summary>
    public bool TryGetNextInodeRef(in InodeAttributes a, out ulong next)
    {
        MetadataCursor cursor;
        switch (a.Type)
        {
            case InodeType.File or InodeType.ExtendedFile:
                cursor = inodes.OpenAbsolute(a.TailBlockPosition, a.TailOffset);
                cursor.Skip((long)a.BlockCount * 4);
                break;
            case InodeType.Directory:
                cursor = inodes.OpenReference(a.InodeRef);
                cursor.Skip(BasicDirectoryInodeSize);
                break;
            default:
                next = 0;
                return false;
        }

        return cursor.TryGetReference(inodes.Start, out next);
    }

    private static InodeAttributes DecodeDirectory(ref MetadataCursor cursor, InodeAttributes a)
    {
        uint startBlock = cursor.ReadUInt32();
        uint nlink = cursor.ReadUInt32();
        ushort fileSize = cursor.ReadUInt16();
        ushort offset = cursor.ReadUInt16();
        uint parent = cursor.ReadUInt32();
        return CheckDirectory(a with
        {
            ListingBlock = startBlock,
            LinkCount = nlink,
            Size = fileSize,
            ListingOffset = offset,
            ParentInodeNumber = parent,
        });
    }

    private static InodeAttributes DecodeExtendedDirectory(ref MetadataCursor cursor, InodeAttributes a)
    {
        uint nlink = cursor.ReadUInt32();
        uint fileSize = cursor.ReadUInt32();
        uint startBlock = cursor.ReadUInt32();
        uint parent = cursor.ReadUInt32();
        ushort indexCount = cursor.ReadUInt16();
        ushort offset = cursor.ReadUInt16();
        uint xattr = cursor.ReadUInt32();
        return CheckDirectory(a with
        {
            LinkCount = nlink,
            Size = fileSize,
            ListingBlock = startBlock,
            ParentInodeNumber = parent,
            IndexCount = indexCount,
            ListingOffset = offset,
            XattrIndex = xattr,
            TailBlockPosition = cursor.BlockPosition,
            TailOffset = cursor.Offset,
        });
    }

    private static InodeAttributes CheckDirectory(InodeAttributes a)
    {
        if (a.Size < SquashFsLayout.DirectorySizeBias || a.ListingOffset >= SquashFsLayout.MetadataBlockSize)
        {
            throw new SquashFsException(SquashFsError.CorruptMetadata, $"directory inode {a.InodeNumber} has an invalid listing");
        }

        return a;
    }

    private InodeAttributes DecodeFile(ref MetadataCursor cursor, InodeAttributes a)
    {
        uint start = cursor.ReadUInt32();
        uint fragment = cursor.ReadUInt32();
        uint fragmentOffset = cursor.ReadUInt32();
        uint size = cursor.ReadUInt32();
        return CheckFile(ref cursor, a with { DataStart = start, FragmentIndex = fragment, FragmentOffset = fragmentOffset, Size = size });
    }

    private InodeAttributes DecodeExtendedFile(ref MetadataCursor cursor, InodeAttributes a)
    {
        ulong start = cursor.ReadUInt64();
        ulong size = cursor.ReadUInt64();
        ulong sparse = cursor.ReadUInt64();
        uint nlink = cursor.ReadUInt32();
        uint fragment = cursor.ReadUInt32();
        uint fragmentOffset = cursor.ReadUInt32();
        uint xattr = cursor.ReadUInt32();
        return CheckFile(ref cursor, a with
        {
            DataStart = start,
            Size = size,
            SparseBytes = sparse,
            LinkCount = nlink,
            FragmentIndex = fragment,
            FragmentOffset = fragmentOffset,
            XattrIndex = xattr,
        });
    }

    private InodeAttributes CheckFile(ref MetadataCursor cursor, InodeAttributes a)
    {
        if (a.Size > long.MaxValue || a.DataStart > (ulong)imageEnd)
        {
            throw new SquashFsException(SquashFsError.CorruptMetadata, $"file inode {a.InodeNumber} has an invalid size or start");
        }

        bool hasFragment = a.FragmentIndex != SquashFsLayout.NoFragment;
        ulong blocks = hasFragment ? a.Size / blockSize : (a.Size + blockSize - 1) / blockSize;

        // Every block needs a 4-byte entry in the inode table; a count the table cannot hold is a lie.
        if (blocks > MaxBlockCount || (long)blocks * 4 > inodes.MaxDecodedBytes)
        {
            throw new SquashFsException(SquashFsError.CorruptMetadata, $"file inode {a.InodeNumber} claims {blocks} blocks");
        }

        if (hasFragment && (a.FragmentIndex >= fragmentCount || a.FragmentOffset >= blockSize
            || a.FragmentOffset + (a.Size % blockSize) > blockSize))
        {
            throw new SquashFsException(SquashFsError.CorruptMetadata, $"file inode {a.InodeNumber} has an invalid fragment");
        }

        return a with { BlockCount = (uint)blocks, TailBlockPosition = cursor.BlockPosition, TailOffset = cursor.Offset };
    }

    private static InodeAttributes DecodeSymlink(ref MetadataCursor cursor, InodeAttributes a)
    {
        uint nlink = cursor.ReadUInt32();
        uint length = cursor.ReadUInt32();
        if (length == 0 || length > SquashFsLayout.MaxSymlinkLength)
        {
            throw new SquashFsException(SquashFsError.CorruptMetadata, $"symlink inode {a.InodeNumber} has target length {length}");
        }

        a = a with { LinkCount = nlink, Size = length, TailBlockPosition = cursor.BlockPosition, TailOffset = cursor.Offset };
        if (a.Type == InodeType.ExtendedSymlink)
        {
            cursor.Skip(length);
            a = a with { XattrIndex = cursor.ReadUInt32() };
        }

        return a;
    }
}
