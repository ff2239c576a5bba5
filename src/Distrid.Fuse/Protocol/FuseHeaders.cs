using System.Runtime.InteropServices;

namespace Distrid.Fuse.Protocol;

/// <summary>fuse_in_header (40 bytes): precedes every request.</summary>
[StructLayout(LayoutKind.Sequential, Pack = 4)]
internal readonly struct FuseInHeader
{
    public const int Size = 40;

    public readonly uint Length;
    public readonly uint Opcode;
    public readonly ulong Unique;
    public readonly ulong NodeId;
    public readonly uint Uid;
    public readonly uint Gid;
    public readonly uint Pid;
    /// <summary>Length of the trailing extensions in units of 8 bytes.</summary>
    public readonly ushort TotalExtLength;
    public readonly ushort Padding;
}

/// <summary>fuse_out_header (16 bytes): precedes every reply and notification.</summary>
[StructLayout(LayoutKind.Sequential, Pack = 4)]
internal struct FuseOutHeader
{
    public const int Size = 16;

    public uint Length;
    public int Error;
    public ulong Unique;
}
