using Distri.Core.SquashFs.Reading;
using Distrid.FileSystem.Images;
using Distrid.Fuse.Protocol;

namespace Distrid.FileSystem;

/// <summary>
/// The open image behind a package node, leased for one request so that it cannot be closed meanwhile.
/// <c>using</c> it releases the lease.
/// </summary>
internal readonly ref struct ImageLease : IDisposable
{
    private readonly ImageHandle _handle;

    private ImageLease(ImageHandle handle, SquashFsImage image, ulong inodeRef)
    {
        _handle = handle;
        Image = image;
        InodeRef = inodeRef;
    }

    public SquashFsImage Image { get; }

    /// <summary>The SquashFS inode reference the node id names.</summary>
    public ulong InodeRef { get; }

    public int Slot => _handle.Slot;

    /// <summary>Leases the image of <paramref name="node"/>: ESTALE for an unknown slot, EIO for a broken image.</summary>
    public static int TryAcquire(ImageTable images, ulong node, out ImageLease lease)
    {
        lease = default;
        var handle = images.Get(NodeIds.Slot(node));
        if (handle is null)
        {
            return -Errno.ESTALE;
        }

        var image = images.Acquire(handle);
        if (image is null)
        {
            return -Errno.EIO;
        }

        lease = new ImageLease(handle, image, NodeIds.InodeRef(node));
        return 0;
    }

    public void Dispose() => _handle?.Release();
}
