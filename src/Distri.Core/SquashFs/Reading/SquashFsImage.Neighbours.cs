using Distri.Core.SquashFs.Format;
using Distri.Core.SquashFs.Reading.Inodes;

namespace Distri.Core.SquashFs.Reading;

public sealed partial class SquashFsImage
{
    /// <summary>Inodes looked at past the file before the walk gives up (directories in between included).</summary>
    private const int MaxNeighbourScan = 256;

    /// <summary>
    /// Files stored whole in the fragment block that holds the tail of <paramref name="file"/>, found by walking the
    /// inode table forward from it: packers (mksquashfs, our writer) fill fragment blocks in the order they write file
    /// inodes, so the files after one in the table are the ones read next by anything that walks a directory, and
    /// their bytes are in the block just decompressed for this one. Stops at the first file in another fragment,
    /// at an inode it cannot step over, or when <paramref name="destination"/> is full. Allocates nothing.
    /// </summary>
    /// <returns>How many neighbours were written, in inode-table order.</returns>
    public int GetFragmentNeighbours(in InodeAttributes file, Span<FragmentNeighbour> destination)
    {
        if (file.Kind != FileKind.File || !file.HasFragment)
        {
            return 0;
        }

        int count = 0;
        InodeAttributes current = file;
        for (int scanned = 0; scanned < MaxNeighbourScan && count < destination.Length; scanned++)
        {
            if (!_inodes.TryGetNextInodeRef(current, out ulong next))
            {
                break;
            }

            current = _inodes.Decode(next);
            if (current.Kind != FileKind.File || !current.HasFragment)
            {
                continue;
            }

            if (current.FragmentIndex != file.FragmentIndex)
            {
                break;
            }

            if (current.BlockCount == 0 && current.Size > 0)
            {
                destination[count++] = new FragmentNeighbour(next, (uint)current.Size);
            }
        }

        return count;
    }
}
