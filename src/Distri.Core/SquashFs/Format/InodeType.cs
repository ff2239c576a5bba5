namespace Distri.Core.SquashFs.Format;

/// <summary>Inode types as stored on disk; the extended ("long") variants add xattr ids and 64-bit sizes.</summary>
public enum InodeType : ushort
{
    Directory = 1,
    File = 2,
    Symlink = 3,
    BlockDevice = 4,
    CharDevice = 5,
    Fifo = 6,
    Socket = 7,
    ExtendedDirectory = 8,
    ExtendedFile = 9,
    ExtendedSymlink = 10,
    ExtendedBlockDevice = 11,
    ExtendedCharDevice = 12,
    ExtendedFifo = 13,
    ExtendedSocket = 14,
}

/// <summary>The file kind independent of basic/extended encoding.</summary>
public enum FileKind : byte
{
    Directory = 1,
    File = 2,
    Symlink = 3,
    BlockDevice = 4,
    CharDevice = 5,
    Fifo = 6,
    Socket = 7,
}

public static class InodeTypeExtensions
{
    /// <summary>Maps basic and extended inode types to one kind; null for an unknown type.</summary>
    public static FileKind? ToKind(this InodeType type) => (ushort)type switch
    {
        >= 1 and <= 7 => (FileKind)(ushort)type,
        >= 8 and <= 14 => (FileKind)((ushort)type - 7),
        _ => null,
    };

    public static InodeType Basic(this FileKind kind) => (InodeType)(ushort)kind;

    public static InodeType Extended(this FileKind kind) => (InodeType)((ushort)kind + 7);

    /// <summary>The S_IFMT bits of a Unix mode for this kind.</summary>
    public static uint ModeTypeBits(this FileKind kind) => kind switch
    {
        FileKind.Directory => 0x4000,
        FileKind.File => 0x8000,
        FileKind.Symlink => 0xA000,
        FileKind.BlockDevice => 0x6000,
        FileKind.CharDevice => 0x2000,
        FileKind.Fifo => 0x1000,
        FileKind.Socket => 0xC000,
        _ => 0,
    };

    /// <summary>The kind for the S_IFMT bits of a Unix mode; null when the bits name no file type.</summary>
    public static FileKind? FromMode(uint mode) => (mode & 0xF000) switch
    {
        0x4000 => FileKind.Directory,
        0x8000 => FileKind.File,
        0xA000 => FileKind.Symlink,
        0x6000 => FileKind.BlockDevice,
        0x2000 => FileKind.CharDevice,
        0x1000 => FileKind.Fifo,
        0xC000 => FileKind.Socket,
        _ => null,
    };
}
