using Distri.Core.SquashFs.Reading;
using Distrid.Fuse.FileSystem;

namespace Distrid.FileSystem;

internal sealed partial class RoFileSystem
{
    /// <summary>
    /// After a READ reached the tail of a small file: the files packed after it in the same fragment block, whole, so
    /// that a reader walking the directory (cat, a program loading its modules) finds them in the page cache instead
    /// of sending one READ each. The block is in the image's block cache, so each store costs a copy. The kernel
    /// fills only inodes it has cached (after READDIRPLUS or LOOKUP); for the others the store is a cheap ENOENT.
    /// </summary>
    public int PredictStores(ulong node, long offset, Span<FuseStoreRange> ranges)
    {
        if (node == NodeIds.Root || NodeIds.IsExchange(node) || ranges.IsEmpty)
        {
            return 0;
        }

        var request = new PredictionRequest(node, ranges);
        return WithImage(node, ref request, static (_, in lease, ref request) =>
        {
            Span<FragmentNeighbour> neighbours = stackalloc FragmentNeighbour[Math.Min(request.Ranges.Length, 64)];
            int count = lease.Image.GetFragmentNeighbours(lease.Image.GetInode(lease.InodeRef), neighbours);
            int written = 0;
            for (int i = 0; i < count; i++)
            {
                if (NodeIds.FitsInodeRef(neighbours[i].InodeRef))
                {
                    request.Ranges[written++] = new FuseStoreRange(
                        NodeIds.ForImageInode(lease.Slot, neighbours[i].InodeRef), 0, (int)neighbours[i].Size);
                }
            }

            return written;
        });
    }

    private ref struct PredictionRequest(ulong node, Span<FuseStoreRange> ranges)
    {
        public readonly ulong Node = node;
        public readonly Span<FuseStoreRange> Ranges = ranges;
    }
}
