using Distri.Core.SquashFs.Format;
using Distri.Core.SquashFs.Reading;
using Distri.Core.SquashFs.Reading.Inodes;

namespace Distri.Core.Tests.SquashFs.Reading;

/// <summary>
/// <see cref="SquashFsImage.GetFragmentNeighbours"/> on mksquashfs images of the edge-case tree: every neighbour it
/// names is a whole small file in the same fragment block with its real size, images with fragments have neighbours,
/// and an image without fragments has none.
/// </summary>
[Collection(MksquashfsCollection.Name)]
public sealed class FragmentNeighbourTests(MksquashfsImages images)
{
    [Theory]
    [InlineData("zstd", true)]
    [InlineData("always-fragments", true)]
    [InlineData("block-4k", true)]
    [InlineData("no-fragments", false)]
    public void Neighbours_are_whole_files_of_the_same_fragment_block(string variant, bool hasFragments)
    {
        if (!ImageAssertions.Ready(images))
        {
            return;
        }

        using SquashFsImage image = SquashFsImage.Open(images.Image(variant));
        Span<FragmentNeighbour> neighbours = stackalloc FragmentNeighbour[64];
        int total = 0;
        // Symlinks (to files and to directories) skipped: only regular files have fragments.
        var regularFiles = new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = FileAttributes.ReparsePoint };
        foreach (string path in Directory.EnumerateFiles(images.Source, "*", regularFiles))
        {
            InodeAttributes file = image.GetInode(image.Lookup(Path.GetRelativePath(images.Source, path)));
            int count = image.GetFragmentNeighbours(file, neighbours);
            Assert.InRange(count, 0, neighbours.Length);
            Assert.True(count == 0 || file.EndsInFragment);
            foreach (FragmentNeighbour neighbour in neighbours[..count])
            {
                InodeAttributes other = image.GetInode(neighbour.InodeRef);
                Assert.Equal(FileKind.File, other.Kind);
                Assert.Equal(file.FragmentIndex, other.FragmentIndex);
                Assert.Equal(0u, other.BlockCount);
                Assert.Equal(other.Size, (ulong)neighbour.Size);
                Assert.NotEqual(file.InodeRef, neighbour.InodeRef);
            }

            total += count;
        }

        Assert.Equal(hasFragments, total > 0);
    }
}
