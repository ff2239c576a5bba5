using Distri.Core.SquashFs.Reading;
using Distri.Core.SquashFs.Reading.Sources;

namespace Distri.Core.Tests.SquashFs.Reading;

/// <summary>
/// Opening an image asks its source for the metadata at the image's end in one hint, before the small reads that
/// depend on one another: with a cold page cache those reads then wait for one disk request, not one each.
/// </summary>
[Collection(MksquashfsCollection.Name)]
public sealed class MetadataPrefetchTests(MksquashfsImages images)
{
    [Fact]
    public void Open_asks_for_the_metadata_first_and_every_read_of_open_and_lookups_lies_inside_it()
    {
        if (!ImageAssertions.Ready(images))
        {
            return;
        }

        var source = new RecordingSource(new MemoryBlockSource(File.ReadAllBytes(images.Image("zstd"))));
        using SquashFsImage image = SquashFsImage.Open(source, ownsSource: true);
        foreach (string relative in (string[])["big/three-mib.bin", "sizes/size-1", "links"])
        {
            _ = image.GetInode(image.Lookup(relative));
        }

        var (offset, length) = Assert.Single(source.Hints);
        Assert.Equal((long)image.Superblock.InodeTableStart, offset);
        Assert.Equal((long)image.Superblock.BytesUsed, offset + length);
        // The superblock comes first and tells where the metadata is; every read after it is one the hint covered.
        Assert.Equal(0, source.Reads[0].Offset);
        Assert.True(source.Reads.Count > 3, $"open and three lookups read {source.Reads.Count} times");
        Assert.All(source.Reads.Skip(1), read => Assert.InRange(read.Offset, offset, offset + length - read.Length));
        Assert.Equal(1, source.HintsBeforeSecondRead);
    }

    /// <summary>Records each read and hint of an image in memory.</summary>
    private sealed class RecordingSource(MemoryBlockSource inner) : IBlockSource
    {
        public List<(long Offset, int Length)> Reads { get; } = [];

        public List<(long Offset, long Length)> Hints { get; } = [];

        public int HintsBeforeSecondRead { get; private set; } = -1;

        public long Length => inner.Length;

        public int Read(long offset, Span<byte> destination)
        {
            if (Reads.Count == 1)
            {
                HintsBeforeSecondRead = Hints.Count;
            }

            Reads.Add((offset, destination.Length));
            return inner.Read(offset, destination);
        }

        public void WillNeed(long offset, long length) => Hints.Add((offset, length));

        public void Dispose() => inner.Dispose();
    }
}
