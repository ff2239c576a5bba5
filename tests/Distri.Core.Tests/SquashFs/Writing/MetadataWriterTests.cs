using System.Buffers.Binary;
using Distri.Core.SquashFs.Compression;
using Distri.Core.SquashFs.Format;
using Distri.Core.SquashFs.Writing;

namespace Distri.Core.Tests.SquashFs.Writing;

public sealed class MetadataWriterTests
{
    [Fact]
    public void References_count_finished_block_bytes_and_the_offset_in_the_pending_block()
    {
        using var compressor = NoneCodec.Instance.CreateCompressor();
        var writer = new MetadataWriter(compressor);
        Assert.Equal(0UL, writer.Reference);

        writer.Write(new byte[100]);
        Assert.Equal(100UL, writer.Reference);

        writer.Write(new byte[8192]); // crosses into the second block: 8192 + 2 header bytes are finished
        Assert.Equal(((ulong)(8192 + 2) << 16) | 100, writer.Reference);
        Assert.Equal([0L], writer.BlockStarts);
    }

    [Fact]
    public void Incompressible_blocks_are_stored_raw_with_the_flag_and_compressible_ones_compressed()
    {
        using var compressor = ZstdCodec.Instance.CreateCompressor(3);
        var writer = new MetadataWriter(compressor);
        byte[] random = new byte[8192];
        new Random(1).NextBytes(random);
        writer.Write(random);
        writer.Write(new byte[5000]);
        writer.Finish();

        using var image = new MemoryStream();
        writer.CopyTo(new ImageOutput(image));
        byte[] bytes = image.ToArray();
        ushort first = BinaryPrimitives.ReadUInt16LittleEndian(bytes);
        Assert.Equal(SquashFsLayout.MetadataUncompressedFlag | 8192, first);
        Assert.Equal(random, bytes[2..8194]);

        ushort second = BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(8194));
        Assert.Equal(0, second & SquashFsLayout.MetadataUncompressedFlag);
        Assert.Equal(8194 + 2 + second, bytes.Length);
        Assert.Equal([0L, 8194L], writer.BlockStarts);

        byte[] decompressed = new byte[8192];
        using var decompressor = ZstdCodec.Instance.CreateDecompressor();
        Assert.Equal(5000, decompressor.Decompress(bytes.AsSpan(8196, second), decompressed));
        Assert.All(decompressed.Take(5000), b => Assert.Equal(0, b));
    }

    [Fact]
    public void Finish_without_pending_bytes_emits_no_empty_block()
    {
        using var compressor = NoneCodec.Instance.CreateCompressor();
        var writer = new MetadataWriter(compressor);
        writer.Write(new byte[8192]);
        writer.Finish();
        Assert.Single(writer.BlockStarts);
        Assert.Equal(8194, writer.Length);
    }

    [Theory]
    [InlineData(1u, 3u, 0x103u)]
    [InlineData(8u, 1u, 0x801u)]
    [InlineData(240u, 70000u, 0x1110F070u)]
    public void Device_numbers_use_the_kernels_new_encoding(uint major, uint minor, uint expected)
    {
        // new_encode_dev: (minor & 0xff) | (major << 8) | ((minor & ~0xff) << 12)
        Assert.Equal(expected, InodeEncoder.EncodeDevice(major, minor));
    }
}
