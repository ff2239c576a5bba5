using Distri.Core.SquashFs.Format;
using Distri.Core.SquashFs.Reading.Inodes;
using Distri.Core.SquashFs.Reading.Metadata;

namespace Distri.Core.SquashFs.Reading.Directories;

/// <summary>
/// Walks directory listings: headers {count−1, inode block, base inode number} followed by entries
/// {offset, inode delta, type, name size−1, name}. A cookie is 3 + the listing offset of an entry, as the kernel's
/// f_pos (0, 1 and 2 are left to "." and ".."), so extended directories resume through their index.
/// </summary>
internal sealed class DirectoryReader(MetadataRegion inodes, MetadataRegion directories)
{
    /// <summary>Cookies below this start a listing from the beginning.</summary>
    public const long FirstCookie = SquashFsLayout.DirectorySizeBias;

    public int Read<TVisitor>(in InodeAttributes directory, long cookie, ref TVisitor visitor)
        where TVisitor : IDirectoryVisitor, allows ref struct
    {
        long listing = CheckedListingSize(directory);
        long target = Math.Max(0, cookie - FirstCookie);
        if (target >= listing)
        {
            return 0;
        }

        Position start = target > 0 ? SeekByOffset(directory, target) : Position.Start(directory);
        var walker = new ListingWalker(directories, start, listing);
        Span<byte> name = stackalloc byte[SquashFsLayout.MaxNameLength + 1];
        int delivered = 0;
        while (walker.TryNext(name, out DirectoryEntry entry, out int nameLength))
        {
            if (entry.Cookie - FirstCookie < target)
            {
                continue;
            }

            if (!visitor.Visit(entry, name[..nameLength]))
            {
                break;
            }

            delivered++;
        }

        return delivered;
    }

    public bool TryLookup(in InodeAttributes directory, ReadOnlySpan<byte> wanted, out DirectoryEntry found)
    {
        found = default;
        long listing = CheckedListingSize(directory);
        if (listing == 0 || wanted.IsEmpty || wanted.Length > SquashFsLayout.MaxNameLength)
        {
            return false;
        }

        Position start = SeekByName(directory, wanted);
        var walker = new ListingWalker(directories, start, listing);
        Span<byte> name = stackalloc byte[SquashFsLayout.MaxNameLength + 1];
        while (walker.TryNext(name, out DirectoryEntry entry, out int nameLength))
        {
            int order = name[..nameLength].SequenceCompareTo(wanted);
            if (order == 0)
            {
                found = entry;
                return true;
            }

            // Names are sorted bytewise (strcmp order), so the first larger name ends the search.
            if (order > 0)
            {
                return false;
            }
        }

        return false;
    }

    private long CheckedListingSize(in InodeAttributes directory)
    {
        if (directory.Kind != FileKind.Directory)
        {
            throw new SquashFsException(SquashFsError.WrongType, $"inode {directory.InodeNumber} is not a directory");
        }

        long listing = directory.ListingSize;
        if (listing > directories.MaxDecodedBytes)
        {
            throw new SquashFsException(SquashFsError.CorruptMetadata, $"directory inode {directory.InodeNumber} claims a {listing}-byte listing");
        }

        return listing;
    }

    /// <summary>The last indexed header at or before listing offset <paramref name="target"/>.</summary>
    private Position SeekByOffset(in InodeAttributes directory, long target)
    {
        Position best = Position.Start(directory);
        var index = new IndexWalker(inodes, directory);
        Span<byte> name = stackalloc byte[SquashFsLayout.MaxNameLength + 1];
        while (index.TryNext(name, out Position candidate, out _))
        {
            if (candidate.ListingOffset > target)
            {
                break;
            }

            best = candidate;
        }

        return best;
    }

    /// <summary>The last indexed header whose first name is at or before <paramref name="wanted"/>.</summary>
    private Position SeekByName(in InodeAttributes directory, ReadOnlySpan<byte> wanted)
    {
        Position best = Position.Start(directory);
        var index = new IndexWalker(inodes, directory);
        Span<byte> name = stackalloc byte[SquashFsLayout.MaxNameLength + 1];
        while (index.TryNext(name, out Position candidate, out int nameLength))
        {
            if (name[..nameLength].SequenceCompareTo(wanted) > 0)
            {
                break;
            }

            best = candidate;
        }

        return best;
    }

    /// <summary>A point in a listing: the metadata block (relative to the directory table) and offset where a header
    /// starts, and that header's offset in the listing.</summary>
    internal readonly record struct Position(ulong Block, int Offset, long ListingOffset)
    {
        public static Position Start(in InodeAttributes directory) =>
            new(directory.ListingBlock, directory.ListingOffset, 0);
    }

    /// <summary>Reads the extended directory index {listing offset u32, block u32, name size−1 u32, name}.</summary>
    private ref struct IndexWalker
    {
        private readonly InodeAttributes _directory;
        private readonly long _listing;
        private MetadataCursor _cursor;
        private int _remaining;
        private long _lastOffset;

        public IndexWalker(MetadataRegion inodes, in InodeAttributes directory)
        {
            _directory = directory;
            _listing = directory.ListingSize;
            _remaining = directory.Type == InodeType.ExtendedDirectory ? directory.IndexCount : 0;
            _lastOffset = 0;
            _cursor = _remaining > 0
                ? inodes.OpenAbsolute(directory.TailBlockPosition, directory.TailOffset)
                : default;
        }

        public bool TryNext(scoped Span<byte> name, out Position position, out int nameLength)
        {
            position = default;
            nameLength = 0;
            if (_remaining <= 0)
            {
                return false;
            }

            _remaining--;
            uint listingOffset = _cursor.ReadUInt32();
            uint block = _cursor.ReadUInt32();
            uint nameSize = _cursor.ReadUInt32() + 1;
            if (nameSize > SquashFsLayout.MaxNameLength || listingOffset >= _listing || listingOffset < _lastOffset)
            {
                throw new SquashFsException(SquashFsError.CorruptMetadata, $"directory inode {_directory.InodeNumber} has a corrupt index");
            }

            _cursor.Read(name[..(int)nameSize]);
            _lastOffset = listingOffset;
            nameLength = (int)nameSize;
            long streamOffset = _directory.ListingOffset + (long)listingOffset;
            position = new Position(block, (int)(streamOffset % SquashFsLayout.MetadataBlockSize), listingOffset);
            return true;
        }
    }
}
