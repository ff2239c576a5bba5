using Distri.Core.FileTree;
using Distri.Core.SquashFs.Format;

namespace Distri.Core.SquashFs.Writing;

/// <summary>A directory entry after validation: the name's bytes and the node it names.</summary>
internal readonly record struct PreparedEntry(byte[] Name, PreparedNode Node);

/// <summary>
/// Everything the writer decides about one inode before writing it: its number, link count, table indexes and,
/// once written, where its data and its inode record are.
/// </summary>
internal sealed class PreparedNode(SourceNode source)
{
    public SourceNode Source { get; } = source;

    public FileKind Kind => Source.Kind;

    public uint InodeNumber { get; set; }

    /// <summary>Directory entries naming this inode; for a directory, 2 + its subdirectories.</summary>
    public uint LinkCount { get; set; }

    /// <summary>Directory only: entries sorted bytewise by name.</summary>
    public PreparedEntry[] Entries { get; set; } = [];

    /// <summary>Directory only: the parent's inode number (the root's is inode count + 1, as mksquashfs writes).</summary>
    public uint ParentInodeNumber { get; set; }

    public ushort UidIndex { get; set; }

    public ushort GidIndex { get; set; }

    public uint XattrId { get; set; } = SquashFsLayout.NoXattr;

    /// <summary>Regular file only: where its blocks and tail went.</summary>
    public FileLayout? Layout { get; set; }

    /// <summary>The inode's reference in the inode table, once written.</summary>
    public ulong InodeReference { get; set; }

    public bool InodeWritten { get; set; }

    public uint ModificationTime => (uint)Math.Clamp(Source.ModificationTime, 0, uint.MaxValue);
}
