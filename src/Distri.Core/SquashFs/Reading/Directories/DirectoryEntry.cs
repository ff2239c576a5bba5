using Distri.Core.SquashFs.Format;

namespace Distri.Core.SquashFs.Reading.Directories;

/// <summary>One directory entry (its name is passed beside it as a span, to avoid allocating).</summary>
public readonly record struct DirectoryEntry
{
    /// <summary>The child's inode reference, for <c>SquashFsImage.GetInode</c>.</summary>
    public ulong InodeRef { get; init; }

    /// <summary>The child's inode number as the listing records it (d_ino).</summary>
    public uint InodeNumber { get; init; }

    /// <summary>The child's kind as the listing records it (d_type).</summary>
    public FileKind Kind { get; init; }

    /// <summary>The cookie that resumes a listing at this entry.</summary>
    public long Cookie { get; init; }

    /// <summary>The cookie that resumes a listing after this entry (FUSE dirent "off").</summary>
    public long NextCookie { get; init; }
}
