using System.Text;
using Distri.Core.SquashFs.Format;
using Distri.Core.SquashFs.Reading;

namespace Distri.Core.AppStream;

/// <summary>
/// Bounded reads of small files from a package image by path, following symlinks that stay inside the image (relative
/// ones, and absolute ones into <c>/ro/&lt;fullname&gt;/</c>, which is where the image's own files are at run time).
/// </summary>
internal sealed class ImageFiles(SquashFsImage image, string fullName)
{
    private const int MaxSymlinkHops = 8;

    /// <summary>Names of the regular files and symlinks directly in <paramref name="directory"/>; empty when it is absent.</summary>
    public IReadOnlyList<string> List(string directory)
    {
        if (!TryResolve(directory, out ulong inodeRef) || image.GetInode(inodeRef).Kind != FileKind.Directory)
        {
            return [];
        }

        return [.. image.ListDirectory(inodeRef)
            .Where(e => e.Entry.Kind is FileKind.File or FileKind.Symlink && SquashFsNames.IsValidEntryName(e.NameBytes))
            .Select(e => e.Name)
            .Order(StringComparer.Ordinal)];
    }

    /// <summary>The file's bytes, or null when it does not exist; throws when it is not a regular file or too large.</summary>
    public byte[]? TryRead(string path, int maxBytes)
    {
        if (!TryResolve(path, out ulong inodeRef))
        {
            return null;
        }

        var inode = image.GetInode(inodeRef);
        if (inode.Kind != FileKind.File)
        {
            throw new AppStreamException($"{fullName}: {path}: not a regular file");
        }

        if (inode.Size > (ulong)maxBytes)
        {
            throw new AppStreamException($"{fullName}: {path}: {inode.Size} bytes, over the limit of {maxBytes}");
        }

        byte[] bytes = new byte[(int)inode.Size];
        int total = 0;
        while (total < bytes.Length)
        {
            int n = image.Read(inode, total, bytes.AsSpan(total));
            if (n <= 0)
            {
                throw new AppStreamException($"{fullName}: {path}: shorter than its inode says");
            }

            total += n;
        }

        return bytes;
    }

    /// <summary>Resolves a path from the image root, following at most <see cref="MaxSymlinkHops"/> symlinks on the way.</summary>
    private bool TryResolve(string path, out ulong inodeRef)
    {
        var pending = new Stack<string>(Split(path).Reverse());
        var trail = new List<ulong> { image.RootInodeRef };
        int hops = 0;
        inodeRef = image.RootInodeRef;
        while (pending.TryPop(out string? component))
        {
            if (component == "..")
            {
                if (trail.Count > 1)
                {
                    trail.RemoveAt(trail.Count - 1);
                }

                continue;
            }

            var directory = image.GetInode(trail[^1]);
            if (directory.Kind != FileKind.Directory || !image.TryLookup(directory, Encoding.UTF8.GetBytes(component), out var entry))
            {
                return false;
            }

            var child = image.GetInode(entry.InodeRef);
            if (child.Kind != FileKind.Symlink)
            {
                trail.Add(entry.InodeRef);
                continue;
            }

            if (++hops > MaxSymlinkHops)
            {
                throw new AppStreamException($"{fullName}: {path}: more than {MaxSymlinkHops} symlinks");
            }

            string target = Encoding.UTF8.GetString(image.ReadLink(entry.InodeRef));
            if (target.StartsWith('/'))
            {
                string own = $"/ro/{fullName}/";
                if (!target.StartsWith(own, StringComparison.Ordinal))
                {
                    return false; // into another package or the host: not this package's data
                }

                target = target[own.Length..];
                trail.RemoveRange(1, trail.Count - 1);
            }

            foreach (string part in Split(target).Reverse())
            {
                pending.Push(part);
            }
        }

        inodeRef = trail[^1];
        return true;
    }

    private static IEnumerable<string> Split(string path) =>
        path.Split('/', StringSplitOptions.RemoveEmptyEntries).Where(c => c != ".");
}
