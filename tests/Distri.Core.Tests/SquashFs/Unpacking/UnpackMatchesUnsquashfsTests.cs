using Distri.Core.SquashFs.Reading;
using Distri.Core.SquashFs.Unpacking;
using Distri.Core.Tests.SquashFs.Reading;
using Distri.Core.Tests.Support;

namespace Distri.Core.Tests.SquashFs.Unpacking;

/// <summary>Our unpack of every mksquashfs variant gives exactly what <c>unsquashfs -d</c> gives.</summary>
[Collection(MksquashfsCollection.Name)]
public sealed class UnpackMatchesUnsquashfsTests(MksquashfsImages images)
{
    public static TheoryData<string> Variants() =>
        [.. MksquashfsImages.Variants.Keys.Where(variant => variant != "lzo")];

    [Theory]
    [MemberData(nameof(Variants))]
    public void Unpack_gives_what_unsquashfs_gives(string variant)
    {
        if (!ImageAssertions.Ready(images))
        {
            return;
        }

        string image = images.Image(variant);
        string reference = images.NewDirectory($"unsquashfs-{variant}");
        ProcessRunner.Run("unsquashfs", "-quiet", "-no-progress", "-d", reference, image);

        string ours = images.NewDirectory($"ours-{variant}");
        using (SquashFsImage opened = SquashFsImage.Open(image))
        {
            UnpackResult result = ImageUnpacker.Unpack(opened, ours);
            Assert.Empty(result.Warnings);
            Assert.True(result.HardLinks >= 3, $"expected hard links, got {result.HardLinks}");
        }

        TreeComparer.AssertSame(reference, ours);
    }

    [Fact]
    public void Unpack_reproduces_the_source_tree()
    {
        if (!ImageAssertions.Ready(images))
        {
            return;
        }

        string ours = images.NewDirectory("ours-source");
        using (SquashFsImage opened = SquashFsImage.Open(images.Image("zstd")))
        {
            ImageUnpacker.Unpack(opened, ours);
        }

        // The source root is a temp directory the test created; its own attributes are not part of the image.
        TreeComparer.AssertSame(images.Source, ours, new TreeComparison { RootAttributes = false });
    }
}
