using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace Distrid.Tests.AppStream;

/// <summary>Writes a small RGB PNG (a framed square with a light diagonal) for test application icons.</summary>
public static class TinyPng
{
    public static byte[] Square(int size, (byte R, byte G, byte B) color)
    {
        var raw = new MemoryStream();
        for (int y = 0; y < size; y++)
        {
            raw.WriteByte(0); // filter: none
            for (int x = 0; x < size; x++)
            {
                bool frame = x < size / 8 || y < size / 8 || x >= size - (size / 8) || y >= size - (size / 8);
                bool stroke = Math.Abs(x - y) < size / 10 || Math.Abs(x - (size - 1 - y)) < size / 10;
                var (r, g, b) = frame ? ((byte)255, (byte)255, (byte)255) : stroke ? ((byte)250, (byte)220, (byte)70) : color;
                raw.WriteByte(r);
                raw.WriteByte(g);
                raw.WriteByte(b);
            }
        }

        var png = new MemoryStream();
        png.Write([0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A]);
        byte[] header = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(header, size);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4), size);
        header[8] = 8; // bit depth
        header[9] = 2; // truecolor
        Chunk(png, "IHDR", header);
        var compressed = new MemoryStream();
        using (var zlib = new ZLibStream(compressed, CompressionLevel.Optimal, leaveOpen: true))
        {
            zlib.Write(raw.ToArray());
        }

        Chunk(png, "IDAT", compressed.ToArray());
        Chunk(png, "IEND", []);
        return png.ToArray();
    }

    private static void Chunk(Stream png, string type, byte[] data)
    {
        Span<byte> length = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(length, data.Length);
        png.Write(length);
        byte[] typeAndData = [.. Encoding.ASCII.GetBytes(type), .. data];
        png.Write(typeAndData);
        BinaryPrimitives.WriteUInt32BigEndian(length, Crc32(typeAndData));
        png.Write(length);
    }

    private static uint Crc32(byte[] bytes)
    {
        uint crc = 0xFFFFFFFF;
        foreach (byte b in bytes)
        {
            crc ^= b;
            for (int k = 0; k < 8; k++)
            {
                crc = (crc & 1) != 0 ? 0xEDB88320 ^ (crc >> 1) : crc >> 1;
            }
        }

        return ~crc;
    }
}
