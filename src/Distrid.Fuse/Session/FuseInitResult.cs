using System.Buffers.Binary;
using Distrid.Fuse.Protocol;

namespace Distrid.Fuse.Session;

/// <summary>
/// What INIT negotiated for a connection. A successor that inherits the descriptor sees no INIT, so the
/// predecessor persists this (<see cref="WriteTo"/>, e.g. in a memfd next to the fd) and the successor reads it
/// back (<see cref="TryRead"/>) and passes it to <see cref="FuseSession.Resume"/>.
/// </summary>
public readonly record struct FuseInitResult(
    uint Major,
    uint Minor,
    uint MaxReadahead,
    FuseInitFlags KernelFlags,
    FuseInitFlags Flags,
    uint MaxWrite,
    ushort MaxPages,
    ushort MaxBackground,
    ushort CongestionThreshold,
    uint TimeGranularity)
{
    /// <summary>Bytes written by <see cref="WriteTo"/>.</summary>
    public const int SerializedSize = 48;

    private const uint Magic = 0x4E494644; // "DFIN"
    private const uint Version = 1;

    /// <summary>True when the kernel understands NOTIFY_RESEND (7.40 and HAS_RESEND).</summary>
    public bool SupportsResend => Minor >= 40 && (KernelFlags & FuseInitFlags.HasResend) != 0;

    public void WriteTo(Span<byte> destination)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(destination.Length, SerializedSize);
        BinaryPrimitives.WriteUInt32LittleEndian(destination, Magic);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[4..], Version);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[8..], Major);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[12..], Minor);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[16..], MaxReadahead);
        BinaryPrimitives.WriteUInt64LittleEndian(destination[20..], (ulong)KernelFlags);
        BinaryPrimitives.WriteUInt64LittleEndian(destination[28..], (ulong)Flags);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[36..], MaxWrite);
        BinaryPrimitives.WriteUInt16LittleEndian(destination[40..], MaxPages);
        BinaryPrimitives.WriteUInt16LittleEndian(destination[42..], MaxBackground);
        BinaryPrimitives.WriteUInt16LittleEndian(destination[44..], CongestionThreshold);
        BinaryPrimitives.WriteUInt16LittleEndian(destination[46..], (ushort)Math.Min(TimeGranularity, ushort.MaxValue));
    }

    /// <summary>Reads what <see cref="WriteTo"/> wrote; false for anything else (wrong magic, size or major).</summary>
    public static bool TryRead(ReadOnlySpan<byte> source, out FuseInitResult result)
    {
        result = default;
        if (source.Length < SerializedSize
            || BinaryPrimitives.ReadUInt32LittleEndian(source) != Magic
            || BinaryPrimitives.ReadUInt32LittleEndian(source[4..]) != Version)
        {
            return false;
        }

        uint major = BinaryPrimitives.ReadUInt32LittleEndian(source[8..]);
        if (major != 7)
        {
            return false;
        }

        result = new FuseInitResult(
            major,
            BinaryPrimitives.ReadUInt32LittleEndian(source[12..]),
            BinaryPrimitives.ReadUInt32LittleEndian(source[16..]),
            (FuseInitFlags)BinaryPrimitives.ReadUInt64LittleEndian(source[20..]),
            (FuseInitFlags)BinaryPrimitives.ReadUInt64LittleEndian(source[28..]),
            BinaryPrimitives.ReadUInt32LittleEndian(source[36..]),
            BinaryPrimitives.ReadUInt16LittleEndian(source[40..]),
            BinaryPrimitives.ReadUInt16LittleEndian(source[42..]),
            BinaryPrimitives.ReadUInt16LittleEndian(source[44..]),
            BinaryPrimitives.ReadUInt16LittleEndian(source[46..]));
        return true;
    }
}
