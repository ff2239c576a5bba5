using Distri.Core.SquashFs.Format;
using Distri.Core.SquashFs.Reading;
using Distri.Core.SquashFs.Reading.Directories;
using Distrid.Fuse.FileSystem;
using Distrid.Fuse.Protocol;

namespace Distrid.FileSystem;

internal sealed partial class RoFileSystem
{
    // Cookies: 0 = start, 1 = after ".", 2 = after "..", then entries. The SquashFS reader's own cookies start at 3.
    private const long AfterDot = 1;
    private const long AfterDotDot = 2;
    private const long FirstEntryCookie = 3;

    public int ReadDirectory(ulong node, ulong fileHandle, long offset, ref FuseDirectoryWriter writer)
    {
        if (!AddDots(node, ref offset, ref writer))
        {
            return 0;
        }

        if (node == NodeIds.Root)
        {
            var entries = Current.Entries;
            for (long i = offset - FirstEntryCookie; i < entries.Length; i++)
            {
                var entry = default(FuseEntryOut);
                var root = entries[i];
                if (root.Exchange is { } exchange)
                {
                    FillEntry(exchange, ref entry);
                }
                else
                {
                    // No node id for packages: a READDIRPLUS of /ro must not open every image in the store.
                    entry.Attr.Ino = (ulong)root.Image!.Slot << NodeIds.SlotShift;
                    entry.Attr.Mode = DirectoryMode;
                }

                if (writer.TryAdd(root.Name, FirstEntryCookie + i + 1, entry) == DirectoryAddResult.Full)
                {
                    break;
                }
            }

            return 0;
        }

        if (NodeIds.IsExchange(node))
        {
            var directory = exchangeNodes.Get(node);
            if (directory is null)
            {
                return -Errno.ESTALE;
            }

            var children = directory.Children;
            for (long i = offset - FirstEntryCookie; i < children.Length; i++)
            {
                var entry = default(FuseEntryOut);
                FillEntry(children[i], ref entry);
                if (writer.TryAdd(children[i].Name, FirstEntryCookie + i + 1, entry) == DirectoryAddResult.Full)
                {
                    break;
                }
            }

            return 0;
        }

        return ReadImageDirectory(node, offset, ref writer);
    }

    private int ReadImageDirectory(ulong node, long offset, ref FuseDirectoryWriter writer)
    {
        // The writer moves into the state for the walk and back out after it (a ref struct cannot hold a ref to
        // another ref struct).
        var request = new DirectoryRequest(offset, writer);
        int result = WithImage(node, ref request, static (_, in lease, ref request) =>
        {
            var directory = lease.Image.GetInode(lease.InodeRef);
            if (directory.Kind != FileKind.Directory)
            {
                return -Errno.ENOTDIR;
            }

            var visitor = new DirectoryFiller(lease.Image, lease.Slot, request.Writer);
            lease.Image.ReadDirectory(directory, request.Offset, ref visitor);
            request.Writer = visitor.Writer;
            return visitor.Error;
        });
        writer = request.Writer;
        return result;
    }

    private ref struct DirectoryRequest(long offset, FuseDirectoryWriter writer)
    {
        public readonly long Offset = offset;
        public FuseDirectoryWriter Writer = writer;
    }

    /// <summary>"." and ".." first, as every Linux directory lists them; false when the buffer is already full.</summary>
    private static bool AddDots(ulong node, ref long offset, ref FuseDirectoryWriter writer)
    {
        var entry = default(FuseEntryOut);
        entry.Attr.Mode = DirectoryMode;
        entry.Attr.Ino = node;
        if (offset < AfterDot)
        {
            if (writer.TryAdd("."u8, AfterDot, entry) == DirectoryAddResult.Full)
            {
                return false;
            }

            offset = AfterDot;
        }

        if (offset < AfterDotDot)
        {
            if (writer.TryAdd(".."u8, AfterDotDot, entry) == DirectoryAddResult.Full)
            {
                return false;
            }

            offset = AfterDotDot;
        }

        offset = Math.Max(offset, FirstEntryCookie);
        return true;
    }

    /// <summary>Packs an image directory's entries into the FUSE reply as the reader walks the listing.</summary>
    private ref struct DirectoryFiller(SquashFsImage image, int slot, FuseDirectoryWriter writer) : IDirectoryVisitor
    {
        public FuseDirectoryWriter Writer = writer;

        public int Error { get; private set; }

        public bool Visit(in DirectoryEntry entry, scoped ReadOnlySpan<byte> name)
        {
            var reply = default(FuseEntryOut);
            if (!NodeIds.FitsInodeRef(entry.InodeRef))
            {
                Error = -Errno.EIO;
                return false;
            }

            ulong node = NodeIds.ForImageInode(slot, entry.InodeRef);
            if (Writer.IsPlus)
            {
                reply.NodeId = node;
                FillAttributes(image.GetInode(entry.InodeRef), node, image.Superblock.BlockSize, ref reply.Attr);
                SetTimeouts(ref reply);
            }
            else
            {
                reply.Attr.Ino = node;
                reply.Attr.Mode = entry.Kind.ModeTypeBits();
            }

            return Writer.TryAdd(name, entry.NextCookie, reply) != DirectoryAddResult.Full;
        }
    }
}
