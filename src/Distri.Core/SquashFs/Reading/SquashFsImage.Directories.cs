using System.Text;
using Distri.Core.SquashFs.Format;
using Distri.Core.SquashFs.Reading.Directories;
using Distri.Core.SquashFs.Reading.Inodes;

namespace Distri.Core.SquashFs.Reading;

public sealed partial class SquashFsImage
{
    /// <summary>Cookies below this (0, 1, 2) start a listing at its first entry; FUSE may use them for "." and "..".</summary>
    public const long FirstDirectoryCookie = DirectoryReader.FirstCookie;

    /// <summary>Finds <paramref name="utf8Name"/> in a directory, through the extended directory index when there is
    /// one, stopping at the first larger name (listings are sorted bytewise).</summary>
    /// <exception cref="SquashFsException"><see cref="SquashFsError.WrongType"/> when the inode is not a directory.</exception>
    public bool TryLookup(ulong directoryInodeRef, ReadOnlySpan<byte> utf8Name, out DirectoryEntry entry) =>
        _directories.TryLookup(GetInode(directoryInodeRef), utf8Name, out entry);

    public bool TryLookup(in InodeAttributes directory, ReadOnlySpan<byte> utf8Name, out DirectoryEntry entry) =>
        _directories.TryLookup(directory, utf8Name, out entry);

    /// <summary>
    /// Passes the entries of a directory, starting at <paramref name="cookie"/> (0 for the start, else a
    /// <see cref="DirectoryEntry.NextCookie"/> from an earlier call), to <paramref name="visitor"/> until it returns
    /// false or the listing ends. "." and ".." are not part of the listing.
    /// </summary>
    /// <returns>The number of entries the visitor accepted; 0 at the end of the listing.</returns>
    public int ReadDirectory<TVisitor>(ulong directoryInodeRef, long cookie, ref TVisitor visitor)
        where TVisitor : IDirectoryVisitor, allows ref struct =>
        _directories.Read(GetInode(directoryInodeRef), cookie, ref visitor);

    public int ReadDirectory<TVisitor>(in InodeAttributes directory, long cookie, ref TVisitor visitor)
        where TVisitor : IDirectoryVisitor, allows ref struct =>
        _directories.Read(directory, cookie, ref visitor);

    /// <summary>All entries of a directory, names included (allocates; for tools, not for the FUSE hot path).</summary>
    public IReadOnlyList<NamedDirectoryEntry> ListDirectory(ulong directoryInodeRef)
    {
        var collector = new EntryCollector([]);
        ReadDirectory(directoryInodeRef, 0, ref collector);
        return collector.Entries;
    }

    /// <summary>Resolves a '/'-separated path from the root without following symlinks.</summary>
    public bool TryLookupPath(string path, out ulong inodeRef)
    {
        ArgumentNullException.ThrowIfNull(path);
        inodeRef = RootInodeRef;
        foreach (string component in path.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            if (component == ".")
            {
                continue;
            }

            InodeAttributes directory = GetInode(inodeRef);
            if (directory.Kind != FileKind.Directory || !TryLookup(directory, Encoding.UTF8.GetBytes(component), out DirectoryEntry entry))
            {
                return false;
            }

            inodeRef = entry.InodeRef;
        }

        return true;
    }

    /// <summary>Resolves a path like <see cref="TryLookupPath"/>; fails with <see cref="SquashFsError.NotFound"/>.</summary>
    public ulong Lookup(string path) =>
        TryLookupPath(path, out ulong inodeRef)
            ? inodeRef
            : throw new SquashFsException(SquashFsError.NotFound, $"'{path}' does not exist in the image");

    private readonly struct EntryCollector(List<NamedDirectoryEntry> entries) : IDirectoryVisitor
    {
        public List<NamedDirectoryEntry> Entries => entries;

        public bool Visit(in DirectoryEntry entry, scoped ReadOnlySpan<byte> name)
        {
            entries.Add(new NamedDirectoryEntry(name.ToArray(), entry));
            return true;
        }
    }
}
