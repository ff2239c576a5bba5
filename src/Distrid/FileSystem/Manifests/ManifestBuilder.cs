using Distri.Core.SquashFs.Format;
using Distri.Core.SquashFs.Reading;
using Distrid.FileSystem.Exchange;

namespace Distrid.FileSystem.Manifests;

/// <summary>Reads what an image contributes to the exchange directories: every path below its bin/, lib/, ...</summary>
internal static class ManifestBuilder
{
    /// <summary>More entries than this in one image is refused as hostile (the merge keeps them all in memory).</summary>
    public const int MaxEntries = 1_000_000;

    public static PackageManifest Build(SquashFsImage image)
    {
        var entries = new ManifestWriter();
        // Iterative depth-first walk, directories before their content; depth bounded like the merge.
        var pending = new Stack<(ulong InodeRef, byte[] Path, int Depth)>();
        foreach (string dir in PackageManifest.ExchangeDirectories.Reverse())
        {
            byte[] name = System.Text.Encoding.ASCII.GetBytes(dir);
            if (image.TryLookup(image.RootInodeRef, name, out var top) && top.Kind == FileKind.Directory)
            {
                pending.Push((top.InodeRef, name, 1));
            }
        }

        while (pending.Count > 0)
        {
            var (inodeRef, path, depth) = pending.Pop();
            entries.Add(path, isDirectory: true);
            var children = image.ListDirectory(inodeRef);
            for (int i = children.Count - 1; i >= 0; i--)
            {
                var child = children[i];
                byte[] childPath = [.. path, (byte)'/', .. child.NameBytes];
                if (child.Entry.Kind == FileKind.Directory)
                {
                    if (depth < ExchangeTreeBuilder.MaxDepth)
                    {
                        pending.Push((child.Entry.InodeRef, childPath, depth + 1));
                    }
                }
                else
                {
                    entries.Add(childPath, isDirectory: false);
                }

                if (entries.Count > MaxEntries)
                {
                    throw new InvalidDataException($"more than {MaxEntries} entries in the exchange directories");
                }
            }
        }

        return entries.ToManifest();
    }
}
