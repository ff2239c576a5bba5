using System.Buffers;
using Distri.Core.SquashFs.Format;
using Distri.Core.SquashFs.Reading.Directories;
using Distri.Core.SquashFs.Reading.Inodes;

namespace Distri.Core.SquashFs.Reading;

/// <summary>What <see cref="ImageScanner.Scan"/> visited.</summary>
public readonly record struct ImageScanResult(long Directories, long Files, long Symlinks, long Others, long Bytes, long Xattrs);

/// <summary>
/// Visits everything in an image (every directory, every byte of every file, every symlink target and xattr) to
/// check it is readable: a verify pass for a downloaded image, and the walk of the fuzzer. Iterative, with each
/// directory visited once, so a hostile image with cycles cannot make it loop.
/// </summary>
public static class ImageScanner
{
    public static ImageScanResult Scan(SquashFsImage image, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(image);
        long directories = 0, files = 0, symlinks = 0, others = 0, bytes = 0, xattrs = 0;
        var visited = new HashSet<ulong> { image.RootInodeRef };
        var pending = new Stack<ulong>();
        pending.Push(image.RootInodeRef);
        byte[] buffer = ArrayPool<byte>.Shared.Rent(256 * 1024);
        try
        {
            Span<byte> scratch = stackalloc byte[SquashFsLayout.MaxSymlinkLength];
            while (pending.TryPop(out ulong directoryRef))
            {
                directories++;
                xattrs += image.GetXattrs(directoryRef).Count;
                foreach (NamedDirectoryEntry entry in image.ListDirectory(directoryRef))
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    InodeAttributes inode = image.GetInode(entry.Entry.InodeRef);
                    switch (inode.Kind)
                    {
                        case FileKind.Directory:
                            if (!visited.Add(inode.InodeRef))
                            {
                                throw new SquashFsException(SquashFsError.CorruptMetadata, "directory appears twice in the tree (cycle)");
                            }

                            pending.Push(inode.InodeRef);
                            continue;
                        case FileKind.File:
                            files++;
                            for (long offset = 0; ;)
                            {
                                cancellationToken.ThrowIfCancellationRequested();
                                int read = image.Read(inode, offset, buffer);
                                if (read == 0)
                                {
                                    break;
                                }

                                offset += read;
                                bytes += read;
                            }

                            break;
                        case FileKind.Symlink:
                            symlinks++;
                            image.ReadLink(inode, scratch);
                            break;
                        default:
                            others++;
                            break;
                    }

                    xattrs += image.GetXattrs(inode.InodeRef).Count;
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        return new ImageScanResult(directories, files, symlinks, others, bytes, xattrs);
    }
}
