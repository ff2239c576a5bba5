using System.Runtime.InteropServices;

namespace Distrid.Fuse.Protocol;

/// <summary>fuse_attr_out (104 bytes): the answer to GETATTR.</summary>
[StructLayout(LayoutKind.Sequential, Pack = 4)]
public struct FuseAttrOut
{
    public const int Size = 104;

    public ulong AttrValid;
    public uint AttrValidNsec;
    public uint Dummy;
    public FuseAttr Attr;

    public TimeSpan AttrTimeout
    {
        readonly get => FuseTimeout.ToTimeSpan(AttrValid, AttrValidNsec);
        set => FuseTimeout.Split(value, out AttrValid, out AttrValidNsec);
    }
}
