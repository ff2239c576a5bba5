using Distri.Core.SquashFs.Format;

namespace Distri.Core.FileTree;

/// <summary>
/// One inode of a tree to pack, independent of where it came from (a directory on disk, a tar stream).
/// Names live in the parent's entries, not here, so that one file node placed under two names is a hard link.
/// </summary>
public abstract class SourceNode
{
    private ushort _permissions;

    public abstract FileKind Kind { get; }

    /// <summary>Permission bits including setuid, setgid and sticky (mode &amp; 07777).</summary>
    public ushort Permissions
    {
        get => _permissions;
        set => _permissions = (ushort)(value & 0xFFF);
    }

    public uint Uid { get; set; }

    public uint Gid { get; set; }

    /// <summary>Modification time in seconds since the epoch (SquashFS keeps whole seconds, 0..2^32-1).</summary>
    public long ModificationTime { get; set; }

    /// <summary>Extended attributes by full name ("user.foo", "trusted.bar", "security.capability").</summary>
    public List<SourceXattr> Xattrs { get; } = [];
}
