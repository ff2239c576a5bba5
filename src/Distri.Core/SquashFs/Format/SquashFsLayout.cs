namespace Distri.Core.SquashFs.Format;

/// <summary>Fixed numbers of the SquashFS 4.0 on-disk format (little-endian throughout).</summary>
public static class SquashFsLayout
{
    public const uint Magic = 0x73717368;
    public const ushort MajorVersion = 4;
    public const ushort MinorVersion = 0;
    public const int SuperblockSize = 96;

    /// <summary>Metadata blocks hold at most 8 KiB of payload behind a u16 header.</summary>
    public const int MetadataBlockSize = 8192;
    /// <summary>Bit 15 of a metadata header: the block is stored uncompressed.</summary>
    public const ushort MetadataUncompressedFlag = 0x8000;

    /// <summary>Bit 24 of a data block or fragment size: the block is stored uncompressed.</summary>
    public const uint DataUncompressedFlag = 1u << 24;

    public const uint NoFragment = 0xFFFFFFFF;
    public const uint NoXattr = 0xFFFFFFFF;
    public const ulong TableAbsent = ulong.MaxValue;

    public const int MinBlockLog = 12;
    public const int MaxBlockLog = 20;
    public const int DefaultBlockSize = 128 * 1024;

    /// <summary>The kernel refuses names longer than this (namei.c).</summary>
    public const int MaxNameLength = 255;
    /// <summary>A directory header covers at most this many entries.</summary>
    public const int MaxEntriesPerDirectoryHeader = 256;
    /// <summary>Directory file_size counts 3 bytes more than the listing (the kernel's "." and "..").</summary>
    public const int DirectorySizeBias = 3;
    /// <summary>The kernel's PATH_MAX bounds symlink targets.</summary>
    public const int MaxSymlinkLength = 4095;

    /// <summary>Superblock flag: compressor options follow the superblock.</summary>
    public const ushort FlagCompressorOptions = 0x0400;
    public const ushort FlagNoXattrs = 0x0200;
    public const ushort FlagExportable = 0x0080;
    public const ushort FlagNoFragments = 0x0010;
    public const ushort FlagAlwaysFragments = 0x0020;
    public const ushort FlagDuplicates = 0x0040;
    public const ushort FlagUncompressedInodes = 0x0001;
    public const ushort FlagUncompressedData = 0x0002;
    public const ushort FlagUncompressedFragments = 0x0008;
    public const ushort FlagUncompressedXattrs = 0x0100;
    public const ushort FlagUncompressedIds = 0x0800;
}
