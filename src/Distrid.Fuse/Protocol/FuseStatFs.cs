using System.Runtime.InteropServices;

namespace Distrid.Fuse.Protocol;

/// <summary>fuse_kstatfs (80 bytes): the answer to STATFS (df, stat -f).</summary>
[StructLayout(LayoutKind.Sequential, Pack = 4)]
public struct FuseStatFs
{
    public const int Size = 80;

    public ulong Blocks;
    public ulong BlocksFree;
    public ulong BlocksAvailable;
    public ulong Files;
    public ulong FilesFree;
    public uint BlockSize;
    public uint NameLength;
    public uint FragmentSize;
    public uint Padding;
    public Spare6 Spare;

    [System.Runtime.CompilerServices.InlineArray(6)]
    public struct Spare6
    {
        private uint _element;
    }
}
