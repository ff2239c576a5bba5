using System.Runtime.InteropServices;

namespace Distrid.Fuse.Protocol;

// The fixed-size request bodies the session parses. Each is read with MemoryMarshal.Read after the opcode
// table has checked the body is at least as long as the struct.

/// <summary>fuse_init_in: only the first 16 bytes exist on pre-7.36 kernels, so fields are read by length.</summary>
[StructLayout(LayoutKind.Sequential, Pack = 4)]
internal readonly struct FuseInitIn
{
    public const int MinimumSize = 8;
    public const int Size = 64;

    public readonly uint Major;
    public readonly uint Minor;
    public readonly uint MaxReadahead;
    public readonly uint Flags;
    public readonly uint Flags2;
}

[StructLayout(LayoutKind.Sequential, Pack = 4)]
internal readonly struct FuseForgetIn
{
    public const int Size = 8;

    public readonly ulong NLookup;
}

[StructLayout(LayoutKind.Sequential, Pack = 4)]
internal readonly struct FuseBatchForgetIn
{
    public const int Size = 8;

    public readonly uint Count;
    public readonly uint Dummy;
}

[StructLayout(LayoutKind.Sequential, Pack = 4)]
internal readonly struct FuseForgetOne
{
    public const int Size = 16;

    public readonly ulong NodeId;
    public readonly ulong NLookup;
}

[StructLayout(LayoutKind.Sequential, Pack = 4)]
internal readonly struct FuseGetAttrIn
{
    public const int Size = 16;

    public readonly uint GetAttrFlags;
    public readonly uint Dummy;
    public readonly ulong FileHandle;
}

[StructLayout(LayoutKind.Sequential, Pack = 4)]
internal readonly struct FuseOpenIn
{
    public const int Size = 8;

    public readonly uint Flags;
    public readonly uint OpenFlags;
}

[StructLayout(LayoutKind.Sequential, Pack = 4)]
internal readonly struct FuseReadIn
{
    public const int Size = 40;

    public readonly ulong FileHandle;
    public readonly ulong Offset;
    public readonly uint Length;
    public readonly uint ReadFlags;
    public readonly ulong LockOwner;
    public readonly uint Flags;
    public readonly uint Padding;
}

[StructLayout(LayoutKind.Sequential, Pack = 4)]
internal readonly struct FuseReleaseIn
{
    public const int Size = 24;

    public readonly ulong FileHandle;
    public readonly uint Flags;
    public readonly uint ReleaseFlags;
    public readonly ulong LockOwner;
}

[StructLayout(LayoutKind.Sequential, Pack = 4)]
internal readonly struct FuseGetXattrIn
{
    public const int Size = 8;

    public readonly uint Length;
    public readonly uint Padding;
}

[StructLayout(LayoutKind.Sequential, Pack = 4)]
internal readonly struct FuseAccessIn
{
    public const int Size = 8;

    public readonly uint Mask;
    public readonly uint Padding;
}
