using Distri.Core.SquashFs;
using Distri.Core.SquashFs.Format;
using Distri.Core.SquashFs.Reading.Inodes;
using Distrid.FileSystem.Exchange;
using Distrid.Fuse.Protocol;

namespace Distrid.FileSystem;

internal sealed partial class RoFileSystem
{
    private const uint DirectoryMode = 0x4000 | 0b111_101_101;
    private const uint SymlinkMode = 0xA000 | 0b111_111_111;

    public int Lookup(ulong parent, ReadOnlySpan<byte> name, ref FuseEntryOut entry)
    {
        if (parent == NodeIds.Root)
        {
            var found = Current.Find(name);
            if (found is null)
            {
                // The views' directory is looked up, never listed: /ro shows packages and exchange directories only.
                if (!name.SequenceEqual(Views.ViewTable.DirectoryName))
                {
                    return -Errno.ENOENT;
                }

                FillEntry(exchangeNodes.Views.Directory, ref entry);
                return 0;
            }

            if (found.Exchange is { } exchangeRoot)
            {
                FillEntry(exchangeRoot, ref entry);
                return 0;
            }

            // The package directory is the image's root inode.
            return LookupImageRoot(found.Image!.Slot, ref entry);
        }

        if (NodeIds.IsExchange(parent))
        {
            var child = exchangeNodes.Get(parent)?.Find(name);
            if (child is null)
            {
                return -Errno.ENOENT;
            }

            FillEntry(child, ref entry);
            return 0;
        }

        var request = new LookupRequest(name, ref entry);
        return WithImage(parent, ref request, static (_, in lease, ref request) =>
        {
            var directory = lease.Image.GetInode(lease.InodeRef);
            if (directory.Kind != FileKind.Directory)
            {
                return -Errno.ENOTDIR;
            }

            return lease.Image.TryLookup(directory, request.Name, out var found) ? FillImageEntry(lease, found.InodeRef, ref request.Entry) : -Errno.ENOENT;
        });
    }

    public int GetAttr(ulong node, ref FuseAttrOut attr)
    {
        attr.AttrTimeout = Forever;
        if (node == NodeIds.Root)
        {
            FillDirectory(NodeIds.Root, Current.PublishedAt, ref attr.Attr);
            return 0;
        }

        if (NodeIds.IsExchange(node))
        {
            var exchange = exchangeNodes.Get(node);
            if (exchange is null)
            {
                return -Errno.ESTALE;
            }

            FillExchange(exchange, ref attr.Attr);
            return 0;
        }

        var request = new AttrRequest(node, ref attr);
        return WithImage(node, ref request, static (_, in lease, ref request) =>
        {
            FillAttributes(lease.Image.GetInode(lease.InodeRef), request.Node, lease.Image.Superblock.BlockSize, ref request.Attr.Attr);
            return 0;
        });
    }

    private int LookupImageRoot(int slot, ref FuseEntryOut entry)
    {
        int error = ImageLease.TryAcquire(images, NodeIds.ForImageInode(slot, 0), out var lease);
        if (error != 0)
        {
            return error;
        }

        using (lease)
        {
            return FillImageEntry(lease, lease.Image.RootInodeRef, ref entry);
        }
    }

    private static int FillImageEntry(in ImageLease lease, ulong inodeRef, ref FuseEntryOut entry)
    {
        if (!NodeIds.FitsInodeRef(inodeRef))
        {
            return -Errno.EIO;
        }

        try
        {
            entry.NodeId = NodeIds.ForImageInode(lease.Slot, inodeRef);
            FillAttributes(lease.Image.GetInode(inodeRef), entry.NodeId, lease.Image.Superblock.BlockSize, ref entry.Attr);
            SetTimeouts(ref entry);
            return 0;
        }
        catch (SquashFsException)
        {
            return -Errno.EIO;
        }
    }

    private void FillEntry(ExchangeNode node, ref FuseEntryOut entry)
    {
        entry.NodeId = node.NodeId;
        FillExchange(node, ref entry.Attr);
        SetTimeouts(ref entry);
    }

    private void FillExchange(ExchangeNode node, ref FuseAttr attr)
    {
        if (node.IsDirectory)
        {
            FillDirectory(node.NodeId, Current.PublishedAt, ref attr);
            return;
        }

        attr.Ino = node.NodeId;
        attr.Mode = SymlinkMode;
        attr.Nlink = 1;
        attr.Length = (ulong)node.LinkTarget!.Length;
        attr.SetAllTimes(Current.PublishedAt);
    }

    private static void FillDirectory(ulong node, long mtime, ref FuseAttr attr)
    {
        attr.Ino = node;
        attr.Mode = DirectoryMode;
        attr.Nlink = 2;
        attr.BlockSize = 4096;
        attr.SetAllTimes(mtime);
    }

    /// <summary>stat(2) of an image inode: the image's own mode, owner, size, mtime and device numbers.</summary>
    internal static void FillAttributes(in InodeAttributes inode, ulong node, uint blockSize, ref FuseAttr attr)
    {
        attr.Ino = node;
        attr.Mode = inode.Mode;
        attr.Uid = inode.Uid;
        attr.Gid = inode.Gid;
        attr.Nlink = Math.Max(inode.LinkCount, 1u);
        attr.Length = inode.Size;
        attr.Blocks = inode.Kind == FileKind.File ? (inode.Size - Math.Min(inode.SparseBytes, inode.Size) + 511) / 512 : 0;
        // Both SquashFS and FUSE carry the kernel's new_encode_dev() form, so rdev passes through unchanged.
        attr.Rdev = inode.Rdev;
        attr.BlockSize = blockSize;
        attr.SetAllTimes(inode.ModificationTime);
    }

    private static void SetTimeouts(ref FuseEntryOut entry)
    {
        entry.EntryTimeout = Forever;
        entry.AttrTimeout = Forever;
    }
}
