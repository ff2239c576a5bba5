using System.Text;
using Distri.Core.SquashFs.Compression;
using Distri.Core.SquashFs.Writing;

namespace Distri.Core.Tests.SquashFs.Writing;

public sealed class IncompressibleProbeTests
{
    private const int BlockSize = 128 << 10;

    [Theory]
    [InlineData(BlockSize)]
    [InlineData(5000)] // a short last block or fragment block: no sample, the whole block is probed
    public void Random_bytes_will_not_shrink_and_the_image_compressors_store_them_raw_too(int length)
    {
        byte[] block = new byte[length];
        new Random(7).NextBytes(block);
        using var probe = new IncompressibleProbe(BlockSize);

        Assert.True(probe.WillNotShrink(block));
        Assert.Equal(0, Compress(ZstdCodec.Instance, block));
        Assert.Equal(0, Compress(ZlibCodec.Instance, block));
    }

    [Fact]
    public void Text_will_shrink()
    {
        using var probe = new IncompressibleProbe(BlockSize);
        Assert.False(probe.WillNotShrink(Text(BlockSize)));
    }

    [Fact]
    public void A_block_that_starts_random_and_ends_in_text_will_shrink()
    {
        byte[] block = Text(BlockSize);
        new Random(8).NextBytes(block.AsSpan(0, 64 << 10)); // the 16 KiB sample alone says incompressible
        using var probe = new IncompressibleProbe(BlockSize);

        Assert.False(probe.WillNotShrink(block));
        Assert.InRange(Compress(ZstdCodec.Instance, block), 1, BlockSize - 1);
    }

    private static byte[] Text(int length)
    {
        var text = new StringBuilder();
        var random = new Random(9);
        while (text.Length < length)
        {
            text.Append("static int value").Append(random.Next(1000)).Append(" = compute(").Append(random.Next(50)).Append(");\n");
        }

        return Encoding.ASCII.GetBytes(text.ToString(0, length));
    }

    private static int Compress(BlockCodec codec, byte[] block)
    {
        using var compressor = codec.CreateCompressor();
        return compressor.Compress(block, new byte[BlockSize]);
    }
}
