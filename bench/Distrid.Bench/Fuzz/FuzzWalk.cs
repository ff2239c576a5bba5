using System.Buffers;
using Distri.Core.SquashFs.Format;
using Distri.Core.SquashFs.Reading;
using Distri.Core.SquashFs.Reading.Directories;
using Distri.Core.SquashFs.Reading.Inodes;
using Distri.Core.SquashFs.Reading.Sources;

namespace Distrid.Bench.Fuzz;

/// <summary>Everything the /ro server could do with an image: open it, scan it whole, and for every directory look
/// up each name (index path), a missing name, and list it again in small resumed batches.</summary>
public static class FuzzWalk
{
    public static void Run(byte[] image, CancellationToken cancellationToken)
    {
        using SquashFsImage opened = SquashFsImage.Open(new MemoryBlockSource(image), ownsSource: true, new SquashFsReadOptions
        {
            DataCacheBytes = 1 << 20,
            MetadataCacheBytes = 256 << 10,
        });
        ImageScanner.Scan(opened, cancellationToken);
        _ = opened.Statistics;
        opened.TryGetInodeRef(1, out _);

        var pending = new Stack<ulong>();
        var visited = new HashSet<ulong> { opened.RootInodeRef };
        pending.Push(opened.RootInodeRef);
        byte[] names = ArrayPool<byte>.Shared.Rent(1 << 16);
        try
        {
            while (pending.TryPop(out ulong directory))
            {
                InodeAttributes attributes = opened.GetInode(directory);
                opened.ListXattrNames(attributes, names);
                opened.TryLookup(attributes, "\xff\xff missing"u8, out _);
                long cookie = 0;
                var batch = new Batch(3);
                while (opened.ReadDirectory(attributes, cookie, ref batch) > 0)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    cookie = batch.NextCookie;
                    batch = new Batch(3);
                }

                foreach (NamedDirectoryEntry entry in opened.ListDirectory(directory))
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    opened.TryLookup(attributes, entry.NameBytes, out _);
                    InodeAttributes child = opened.GetInode(entry.Entry.InodeRef);
                    opened.GetXattr(child, "user.mime"u8, names);
                    if (child.Kind == FileKind.Directory && visited.Add(child.InodeRef))
                    {
                        pending.Push(child.InodeRef);
                    }
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(names);
        }
    }

    private struct Batch(int size) : IDirectoryVisitor
    {
        private int _left = size;

        public long NextCookie { get; private set; }

        public bool Visit(in DirectoryEntry entry, scoped ReadOnlySpan<byte> name)
        {
            if (_left == 0)
            {
                return false;
            }

            _left--;
            NextCookie = entry.NextCookie;
            return true;
        }
    }
}
