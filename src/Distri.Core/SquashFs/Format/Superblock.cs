using System.Buffers.Binary;
using System.Numerics;

namespace Distri.Core.SquashFs.Format;

/// <summary>The 96-byte SquashFS 4.0 superblock.</summary>
public record struct Superblock
{
    public uint InodeCount;
    public uint ModificationTime;
    public uint BlockSize;
    public uint FragmentEntryCount;
    public CompressionId Compression;
    public ushort BlockLog;
    public ushort Flags;
    public ushort IdCount;
    public ulong RootInodeRef;
    public ulong BytesUsed;
    public ulong IdTableStart;
    public ulong XattrIdTableStart;
    public ulong InodeTableStart;
    public ulong DirectoryTableStart;
    public ulong FragmentTableStart;
    public ulong ExportTableStart;

    public readonly void Write(Span<byte> destination)
    {
        if (destination.Length < SquashFsLayout.SuperblockSize)
        {
            throw new ArgumentException("superblock needs 96 bytes", nameof(destination));
        }

        BinaryPrimitives.WriteUInt32LittleEndian(destination, SquashFsLayout.Magic);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[4..], InodeCount);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[8..], ModificationTime);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[12..], BlockSize);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[16..], FragmentEntryCount);
        BinaryPrimitives.WriteUInt16LittleEndian(destination[20..], (ushort)Compression);
        BinaryPrimitives.WriteUInt16LittleEndian(destination[22..], BlockLog);
        BinaryPrimitives.WriteUInt16LittleEndian(destination[24..], Flags);
        BinaryPrimitives.WriteUInt16LittleEndian(destination[26..], IdCount);
        BinaryPrimitives.WriteUInt16LittleEndian(destination[28..], SquashFsLayout.MajorVersion);
        BinaryPrimitives.WriteUInt16LittleEndian(destination[30..], SquashFsLayout.MinorVersion);
        BinaryPrimitives.WriteUInt64LittleEndian(destination[32..], RootInodeRef);
        BinaryPrimitives.WriteUInt64LittleEndian(destination[40..], BytesUsed);
        BinaryPrimitives.WriteUInt64LittleEndian(destination[48..], IdTableStart);
        BinaryPrimitives.WriteUInt64LittleEndian(destination[56..], XattrIdTableStart);
        BinaryPrimitives.WriteUInt64LittleEndian(destination[64..], InodeTableStart);
        BinaryPrimitives.WriteUInt64LittleEndian(destination[72..], DirectoryTableStart);
        BinaryPrimitives.WriteUInt64LittleEndian(destination[80..], FragmentTableStart);
        BinaryPrimitives.WriteUInt64LittleEndian(destination[88..], ExportTableStart);
    }

    /// <summary>Parses and validates a superblock; every field is checked before anything uses it.</summary>
    /// <param name="source">The first 96 bytes of the image.</param>
    /// <param name="imageLength">The image's length in bytes, to bound every table start.</param>
    public static Superblock Read(ReadOnlySpan<byte> source, long imageLength)
    {
        if (source.Length < SquashFsLayout.SuperblockSize || imageLength < SquashFsLayout.SuperblockSize)
        {
            throw new SquashFsException(SquashFsError.Truncated, "image is shorter than a superblock");
        }

        if (BinaryPrimitives.ReadUInt32LittleEndian(source) != SquashFsLayout.Magic)
        {
            throw new SquashFsException(SquashFsError.BadSuperblock, "not a SquashFS image (bad magic)");
        }

        ushort major = BinaryPrimitives.ReadUInt16LittleEndian(source[28..]);
        ushort minor = BinaryPrimitives.ReadUInt16LittleEndian(source[30..]);
        if (major != SquashFsLayout.MajorVersion || minor != SquashFsLayout.MinorVersion)
        {
            throw new SquashFsException(SquashFsError.BadSuperblock, $"unsupported SquashFS version {major}.{minor}");
        }

        var sb = new Superblock
        {
            InodeCount = BinaryPrimitives.ReadUInt32LittleEndian(source[4..]),
            ModificationTime = BinaryPrimitives.ReadUInt32LittleEndian(source[8..]),
            BlockSize = BinaryPrimitives.ReadUInt32LittleEndian(source[12..]),
            FragmentEntryCount = BinaryPrimitives.ReadUInt32LittleEndian(source[16..]),
            Compression = (CompressionId)BinaryPrimitives.ReadUInt16LittleEndian(source[20..]),
            BlockLog = BinaryPrimitives.ReadUInt16LittleEndian(source[22..]),
            Flags = BinaryPrimitives.ReadUInt16LittleEndian(source[24..]),
            IdCount = BinaryPrimitives.ReadUInt16LittleEndian(source[26..]),
            RootInodeRef = BinaryPrimitives.ReadUInt64LittleEndian(source[32..]),
            BytesUsed = BinaryPrimitives.ReadUInt64LittleEndian(source[40..]),
            IdTableStart = BinaryPrimitives.ReadUInt64LittleEndian(source[48..]),
            XattrIdTableStart = BinaryPrimitives.ReadUInt64LittleEndian(source[56..]),
            InodeTableStart = BinaryPrimitives.ReadUInt64LittleEndian(source[64..]),
            DirectoryTableStart = BinaryPrimitives.ReadUInt64LittleEndian(source[72..]),
            FragmentTableStart = BinaryPrimitives.ReadUInt64LittleEndian(source[80..]),
            ExportTableStart = BinaryPrimitives.ReadUInt64LittleEndian(source[88..]),
        };
        sb.Validate(imageLength);
        return sb;
    }

    private readonly void Validate(long imageLength)
    {
        if (BlockLog < SquashFsLayout.MinBlockLog || BlockLog > SquashFsLayout.MaxBlockLog
            || !BitOperations.IsPow2(BlockSize) || BlockSize != 1u << BlockLog)
        {
            throw new SquashFsException(SquashFsError.BadSuperblock, $"invalid block size {BlockSize} (log {BlockLog})");
        }

        if (BytesUsed > (ulong)imageLength || BytesUsed < SquashFsLayout.SuperblockSize)
        {
            throw new SquashFsException(SquashFsError.Truncated, $"image claims {BytesUsed} bytes but has {imageLength}");
        }

        if (InodeCount == 0 || IdCount == 0)
        {
            throw new SquashFsException(SquashFsError.BadSuperblock, "image has no inodes or no ids");
        }

        // Tables must lie inside the used bytes, in the order the format fixes.
        if (InodeTableStart >= BytesUsed || DirectoryTableStart > BytesUsed || InodeTableStart >= DirectoryTableStart
            || IdTableStart >= BytesUsed)
        {
            throw new SquashFsException(SquashFsError.BadSuperblock, "table positions are out of order or out of bounds");
        }

        CheckOptionalTable(FragmentTableStart, "fragment");
        CheckOptionalTable(ExportTableStart, "export");
        CheckOptionalTable(XattrIdTableStart, "xattr");
    }

    private readonly void CheckOptionalTable(ulong start, string name)
    {
        if (start != SquashFsLayout.TableAbsent && (start >= BytesUsed || start < DirectoryTableStart))
        {
            throw new SquashFsException(SquashFsError.BadSuperblock, $"{name} table position is out of bounds");
        }
    }

    public readonly bool HasFragments => FragmentTableStart != SquashFsLayout.TableAbsent && FragmentEntryCount > 0;

    public readonly bool HasExportTable => ExportTableStart != SquashFsLayout.TableAbsent;

    public readonly bool HasXattrs => XattrIdTableStart != SquashFsLayout.TableAbsent;
}
