using System.Text;
using Distri.Core.SquashFs.Format;
using Distri.Core.SquashFs.Reading;

namespace Distrid.Api.Admin;

/// <summary>One path of an image, relative to its root.</summary>
internal readonly record struct ImageEntry(string Path, FileKind Kind, long Size, string? Target);

/// <summary>
/// Every path of an image, a directory always before its content, read with the SquashFS reader. Bounded
/// like the exchange merge (entries, depth) and cycle-safe, so a hostile image cannot make a query run away.
/// </summary>
internal static class ImageListing
{
    public const int MaxEntries = 1_000_000;

    private const int MaxDepth = 128;

    public static IReadOnlyList<ImageEntry> List(SquashFsImage image, CancellationToken cancellationToken)
    {
        var entries = new List<ImageEntry>();
        var visited = new HashSet<ulong> { image.RootInodeRef };
        var pending = new Stack<(ulong InodeRef, string Path, int Depth)>();
        pending.Push((image.RootInodeRef, "", 0));
        while (pending.TryPop(out var directory))
        {
            cancellationToken.ThrowIfCancellationRequested();
            var children = image.ListDirectory(directory.InodeRef);
            var subdirectories = new List<(ulong, string, int)>();
            foreach (var child in children)
            {
                string path = directory.Path.Length == 0 ? child.Name : directory.Path + "/" + child.Name;
                var inode = image.GetInode(child.Entry.InodeRef);
                switch (inode.Kind)
                {
                    case FileKind.Directory:
                        entries.Add(new ImageEntry(path, FileKind.Directory, 0, null));
                        if (directory.Depth + 1 < MaxDepth && visited.Add(inode.InodeRef))
                        {
                            subdirectories.Add((inode.InodeRef, path, directory.Depth + 1));
                        }

                        break;
                    case FileKind.Symlink:
                        entries.Add(new ImageEntry(path, FileKind.Symlink, 0, Encoding.UTF8.GetString(image.ReadLink(inode.InodeRef))));
                        break;
                    default:
                        entries.Add(new ImageEntry(path, inode.Kind, inode.Kind == FileKind.File ? (long)inode.Size : 0, null));
                        break;
                }

                if (entries.Count > MaxEntries)
                {
                    throw new InvalidDataException($"more than {MaxEntries} entries in the image");
                }
            }

            // A directory's own entries first, then its subdirectories' in listing order (pushed in reverse).
            for (int i = subdirectories.Count - 1; i >= 0; i--)
            {
                pending.Push(subdirectories[i]);
            }
        }

        return entries;
    }

    public static string KindName(FileKind kind) => kind switch
    {
        FileKind.Directory => "directory",
        FileKind.File => "file",
        FileKind.Symlink => "symlink",
        _ => "other",
    };
}
