using System.Buffers.Binary;

namespace Distri.Core.AppStream;

/// <summary>The size a PNG says it has (signature and IHDR only; the image is never decoded here).</summary>
internal static class PngHeader
{
    private static ReadOnlySpan<byte> Signature => [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];

    public static bool TryGetSize(ReadOnlySpan<byte> png, out int width, out int height)
    {
        width = height = 0;
        if (png.Length < 24 || !png[..8].SequenceEqual(Signature) || !png.Slice(12, 4).SequenceEqual("IHDR"u8))
        {
            return false;
        }

        uint w = BinaryPrimitives.ReadUInt32BigEndian(png.Slice(16, 4));
        uint h = BinaryPrimitives.ReadUInt32BigEndian(png.Slice(20, 4));
        if (w is 0 or > 4096 || h is 0 or > 4096)
        {
            return false;
        }

        (width, height) = ((int)w, (int)h);
        return true;
    }
}
