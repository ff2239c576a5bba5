using System.Runtime.InteropServices;

namespace Distrid.Fuse.Protocol;

// Fixed-size reply and notification bodies the session writes.

/// <summary>fuse_init_out (64 bytes; pre-7.23 kernels take only the first 24).</summary>
[StructLayout(LayoutKind.Sequential, Pack = 4)]
internal struct FuseInitOut
{
    public const int Size = 64;
    public const int CompatSize = 24;

    public uint Major;
    public uint Minor;
    public uint MaxReadahead;
    public uint Flags;
    public ushort MaxBackground;
    public ushort CongestionThreshold;
    public uint MaxWrite;
    public uint TimeGran;
    public ushort MaxPages;
    public ushort MapAlignment;
    public uint Flags2;
    public uint MaxStackDepth;
    public ushort RequestTimeout;
    public ushort Unused0;
    public Unused5 Unused;

    [System.Runtime.CompilerServices.InlineArray(5)]
    public struct Unused5
    {
        private uint _element;
    }
}

[StructLayout(LayoutKind.Sequential, Pack = 4)]
internal struct FuseGetXattrOut
{
    public const int Size = 8;

    public uint Length;
    public uint Padding;
}

[StructLayout(LayoutKind.Sequential, Pack = 4)]
internal struct FuseNotifyInvalInodeOut
{
    public const int Size = 24;

    public ulong NodeId;
    public long Offset;
    public long Length;
}

[StructLayout(LayoutKind.Sequential, Pack = 4)]
internal struct FuseNotifyInvalEntryOut
{
    public const int Size = 16;

    public ulong Parent;
    public uint NameLength;
    public uint Flags;
}

[StructLayout(LayoutKind.Sequential, Pack = 4)]
internal struct FuseNotifyDeleteOut
{
    public const int Size = 24;

    public ulong Parent;
    public ulong Child;
    public uint NameLength;
    public uint Padding;
}

[StructLayout(LayoutKind.Sequential, Pack = 4)]
internal struct FuseNotifyStoreOut
{
    public const int Size = 24;

    public ulong NodeId;
    public ulong Offset;
    public uint Length;
    public uint Padding;
}
