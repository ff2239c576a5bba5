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

        var request = new ReadRequest(node, offset, destination, fillPageCache);
        return WithImage(node, ref request, static (fileSystem, in lease, ref request) =>
        {
            var inode = lease.Image.GetInode(lease.InodeRef);
            if (inode.Kind != FileKind.File)
            {
                return -Errno.EISDIR;
            }

            int read = lease.Image.Read(inode, request.Offset, request.Destination);
            if (request.FillPageCache && read > 0 && Volatile.Read(ref fileSystem._session) is { } session)
            {
                // A READ of a file the passthrough cache does not hold yet: the writer copies it in the background.
                Volatile.Read(ref fileSystem._passthrough)?.NoteRead(request.Node);

                PageCacheFill.QueueRestOfBlocks(session, request.Node, request.Offset, read, (long)inode.Size, lease.Image.Superblock.BlockSize);
                if (inode.EndsInFragment && request.Offset + read >= (long)inode.Size)
                {
                    // The fragment block is decompressed now: the small files packed after this one are next.
                    session.QueueStorePrediction(request.Node, request.Offset);
                }
            }

            return read;
        });
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

        return WithImage(node, ref destination, static (_, in lease, ref destination) =>
        {
            var inode = lease.Image.GetInode(lease.InodeRef);
            return inode.Kind == FileKind.Symlink ? lease.Image.ReadLink(inode, destination) : -Errno.EINVAL;
        });
    }

    public int GetExtendedAttribute(ulong node, ReadOnlySpan<byte> name, Span<byte> destination)
    {
        if (node == NodeIds.Root || NodeIds.IsExchange(node))
        {
            return -Errno.ENODATA;
        }

        var request = new XattrRequest(name, destination);
        return WithImage(node, ref request, static (_, in lease, ref request) =>
        {
            int length = lease.Image.GetXattr(lease.Image.GetInode(lease.InodeRef), request.Name, request.Destination);
            return length < 0 ? -Errno.ENODATA : length;
        });
    }

    public int ListExtendedAttributes(ulong node, Span<byte> destination)
    {
        if (node == NodeIds.Root || NodeIds.IsExchange(node))
        {
            return 0;
        }

        return WithImage(node, ref destination, static (_, in lease, ref destination) =>
            lease.Image.ListXattrNames(lease.Image.GetInode(lease.InodeRef), destination));
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
