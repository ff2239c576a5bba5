using System.Runtime.InteropServices;

namespace Distrid.Fuse.Protocol;

/// <summary>
/// fuse_entry_out (128 bytes): the answer to LOOKUP and the entry half of a READDIRPLUS record.
/// <see cref="NodeId"/> 0 with a non-zero entry timeout is a cached negative entry.
/// </summary>
[StructLayout(LayoutKind.Sequential, Pack = 4)]
public struct FuseEntryOut
{
    public const int Size = 128;

    public ulong NodeId;
    public ulong Generation;
    public ulong EntryValid;
    public ulong AttrValid;
    public uint EntryValidNsec;
    public uint AttrValidNsec;
    public FuseAttr Attr;

    /// <summary>How long the kernel may keep the name → node binding (dentry).</summary>
    public TimeSpan EntryTimeout
    {
        readonly get => FuseTimeout.ToTimeSpan(EntryValid, EntryValidNsec);
        set => FuseTimeout.Split(value, out EntryValid, out EntryValidNsec);
    }

    /// <summary>How long the kernel may keep <see cref="Attr"/>.</summary>
    public TimeSpan AttrTimeout
    {
        readonly get => FuseTimeout.ToTimeSpan(AttrValid, AttrValidNsec);
        set => FuseTimeout.Split(value, out AttrValid, out AttrValidNsec);
    }
}
