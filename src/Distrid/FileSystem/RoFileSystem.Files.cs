using Distri.Core.SquashFs;
using Distri.Core.SquashFs.Format;
using Distrid.Fuse.Protocol;

namespace Distrid.FileSystem;

internal sealed partial class RoFileSystem
{
    public int Read(ulong node, ulong fileHandle, long offset, Span<byte> destination) =>
        ReadCore(node, offset, destination, fillPageCache: true);

    /// <summary>The store thread's read: the same bytes, without queueing further stores.</summary>
    public int ReadForStore(ulong node, long offset, Span<byte> destination) =>
        ReadCore(node, offset, destination, fillPageCache: false);

    private int ReadCore(ulong node, long offset, Span<byte> destination, bool fillPageCache)
    {
        if (node == NodeIds.Root || NodeIds.IsExchange(node))
        {
            return -Errno.EISDIR;
        }

        int error = ImageLease.TryAcquire(images, node, out var lease);
        if (error != 0)
        {
            return error;
        }

        using (lease)
        {
            try
            {
                var inode = lease.Image.GetInode(lease.InodeRef);
                if (inode.Kind != FileKind.File)
                {
                    return -Errno.EISDIR;
                }

                int read = lease.Image.Read(inode, offset, destination);
                if (fillPageCache && read > 0 && Volatile.Read(ref _session) is { } session)
                {
                    PageCacheFill.QueueRestOfBlocks(session, node, offset, read, (long)inode.Size, lease.Image.Superblock.BlockSize);
                }

                return read;
            }
            catch (SquashFsException)
            {
                return -Errno.EIO;
            }
        }
    }

    public int ReadLink(ulong node, Span<byte> destination)
    {
        if (NodeIds.IsExchange(node))
        {
            var link = exchangeNodes.Get(node)?.LinkTarget;
            if (link is null)
            {
                return -Errno.EINVAL;
            }

            link.CopyTo(destination);
            return link.Length;
        }

        int error = ImageLease.TryAcquire(images, node, out var lease);
        if (error != 0)
        {
            return error;
        }

        using (lease)
        {
            try
            {
                var inode = lease.Image.GetInode(lease.InodeRef);
                return inode.Kind == FileKind.Symlink ? lease.Image.ReadLink(inode, destination) : -Errno.EINVAL;
            }
            catch (SquashFsException)
            {
                return -Errno.EIO;
            }
        }
    }

    public int GetExtendedAttribute(ulong node, ReadOnlySpan<byte> name, Span<byte> destination)
    {
        if (node == NodeIds.Root || NodeIds.IsExchange(node))
        {
            return -Errno.ENODATA;
        }

        int error = ImageLease.TryAcquire(images, node, out var lease);
        if (error != 0)
        {
            return error;
        }

        using (lease)
        {
            try
            {
                int length = lease.Image.GetXattr(lease.Image.GetInode(lease.InodeRef), name, destination);
                return length < 0 ? -Errno.ENODATA : length;
            }
            catch (SquashFsException)
            {
                return -Errno.EIO;
            }
        }
    }

    public int ListExtendedAttributes(ulong node, Span<byte> destination)
    {
        if (node == NodeIds.Root || NodeIds.IsExchange(node))
        {
            return 0;
        }

        int error = ImageLease.TryAcquire(images, node, out var lease);
        if (error != 0)
        {
            return error;
        }

        using (lease)
        {
            try
            {
                return lease.Image.ListXattrNames(lease.Image.GetInode(lease.InodeRef), destination);
            }
            catch (SquashFsException)
            {
                return -Errno.EIO;
            }
        }
    }

    public int StatFs(ulong node, ref FuseStatFs stat)
    {
        var current = Current;
        stat.BlockSize = 4096;
        stat.FragmentSize = 4096;
        stat.NameLength = 255;
        stat.Blocks = (ulong)(current.StoreBytes + 4095) / 4096;
        stat.Files = (ulong)current.Entries.Length;
        return 0;
    }
}
