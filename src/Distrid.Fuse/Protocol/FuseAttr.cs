using System.Runtime.InteropServices;

namespace Distrid.Fuse.Protocol;

/// <summary>
/// fuse_attr (88 bytes): the attributes of one node as the kernel caches them. Filled in place by the file
/// system inside the reply buffer; fields are the wire layout.
/// </summary>
[StructLayout(LayoutKind.Sequential, Pack = 4)]
public struct FuseAttr
{
    public const int Size = 88;

    public ulong Ino;
    public ulong Length;
    public ulong Blocks;
    public ulong Atime;
    public ulong Mtime;
    public ulong Ctime;
    public uint AtimeNsec;
    public uint MtimeNsec;
    public uint CtimeNsec;
    public uint Mode;
    public uint Nlink;
    public uint Uid;
    public uint Gid;
    public uint Rdev;
    public uint BlockSize;
    public uint Flags;

    /// <summary>Sets atime, mtime and ctime to the same instant (immutable data has one timestamp).</summary>
    public void SetAllTimes(long unixSeconds, uint nanoseconds = 0)
    {
        Atime = Mtime = Ctime = (ulong)unixSeconds;
        AtimeNsec = MtimeNsec = CtimeNsec = nanoseconds;
    }
}
