using Distri.Core.SquashFs.Format;

namespace Distri.Core.SquashFs.Reading.Inodes;

/// <summary>
/// A decoded inode: what stat(2) shows, plus where the inode's variable part (block list, directory listing,
/// symlink target) lies so that reads need not decode the inode again.
/// </summary>
public readonly struct InodeAttributes
{
    /// <summary>The 48-bit inode reference this inode was decoded from.</summary>
    public ulong InodeRef { get; init; }

    public InodeType Type { get; init; }

    public FileKind Kind { get; init; }

    /// <summary>Full st_mode: S_IFMT type bits plus the 12 permission bits (setuid, setgid, sticky included).</summary>
    public uint Mode { get; init; }

    public uint Uid { get; init; }

    public uint Gid { get; init; }

    /// <summary>Modification time in seconds since the epoch (SquashFS stores no finer resolution).</summary>
    public uint ModificationTime { get; init; }

    /// <summary>The inode number, 1..inode count, unique within the image (hard links share one).</summary>
    public uint InodeNumber { get; init; }

    public uint LinkCount { get; init; }

    /// <summary>File size, symlink target length, or the directory's file_size (listing bytes + 3), as the kernel shows it.</summary>
    public ulong Size { get; init; }

    /// <summary>The device number as stored (Linux new_encode_dev), for block and character devices.</summary>
    public uint Rdev { get; init; }

    public uint RdevMajor => (Rdev >> 8) & 0xFFF;

    public uint RdevMinor => (Rdev & 0xFF) | ((Rdev >> 12) & 0xFFF00);

    /// <summary>Index into the xattr id table, or <see cref="SquashFsLayout.NoXattr"/>.</summary>
    public uint XattrIndex { get; init; }

    public bool HasXattrs => XattrIndex != SquashFsLayout.NoXattr;

    /// <summary>Bytes of the file that are sparse (extended file inodes only; 0 otherwise).</summary>
    public ulong SparseBytes { get; init; }

    /// <summary>For directories: the parent's inode number (the root's is inode count + 1).</summary>
    public uint ParentInodeNumber { get; init; }

    /// <summary>For files: disk position of the first data block.</summary>
    internal ulong DataStart { get; init; }

    /// <summary>For files: the fragment index, or <see cref="SquashFsLayout.NoFragment"/>.</summary>
    internal uint FragmentIndex { get; init; }

    internal uint FragmentOffset { get; init; }

    /// <summary>For files: number of full or partial blocks stored outside the fragment.</summary>
    internal uint BlockCount { get; init; }

    /// <summary>For directories: listing start, block relative to the directory table and offset inside it.</summary>
    internal uint ListingBlock { get; init; }

    internal ushort ListingOffset { get; init; }

    /// <summary>For extended directories: number of directory index entries.</summary>
    internal ushort IndexCount { get; init; }

    /// <summary>Where the inode's variable part starts (block list, directory index, symlink target).</summary>
    internal long TailBlockPosition { get; init; }

    internal int TailOffset { get; init; }

    /// <summary>Bytes of directory listing (headers and entries), without the bias of 3.</summary>
    internal long ListingSize => Size >= 3 ? (long)Size - 3 : 0;

    internal bool HasFragment => FragmentIndex != SquashFsLayout.NoFragment;

    /// <summary>For files: the last bytes lie in a fragment block shared with other small files.</summary>
    public bool EndsInFragment => HasFragment;
}
