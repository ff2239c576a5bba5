using Distri.Core.SquashFs.Format;
using Distri.Core.SquashFs.Reading.Metadata;

namespace Distri.Core.SquashFs.Reading.Directories;

/// <summary>
/// Steps through a directory listing one entry at a time. Every step consumes at least 8 bytes of a listing whose
/// size the inode fixes, so a corrupt listing ends (with an error) instead of looping.
/// </summary>
internal ref struct ListingWalker
{
    private const int HeaderSize = 12;
    private const int EntryHeaderSize = 8;

    private readonly long _listing;
    private MetadataCursor _cursor;
    private long _offset;
    private int _remainingInHeader;
    private uint _headerBlock;
    private uint _baseInodeNumber;

    public ListingWalker(MetadataRegion directories, DirectoryReader.Position start, long listing)
    {
        _listing = listing;
        _offset = start.ListingOffset;
        _cursor = _offset < listing ? directories.Open(start.Block, start.Offset) : default;
    }

    /// <summary>Reads the next entry; its name goes into <paramref name="name"/> (256 bytes suffice).</summary>
    public bool TryNext(scoped Span<byte> name, out DirectoryEntry entry, out int nameLength)
    {
        entry = default;
        nameLength = 0;
        if (_remainingInHeader == 0)
        {
            if (_offset >= _listing)
            {
                return false;
            }

            if (_listing - _offset < HeaderSize)
            {
                throw Corrupt("a header is cut off");
            }

            uint countMinusOne = _cursor.ReadUInt32();
            _headerBlock = _cursor.ReadUInt32();
            _baseInodeNumber = _cursor.ReadUInt32();
            if (countMinusOne >= SquashFsLayout.MaxEntriesPerDirectoryHeader)
            {
                throw Corrupt($"a header claims {countMinusOne + 1L} entries");
            }

            _remainingInHeader = (int)countMinusOne + 1;
            _offset += HeaderSize;
        }

        if (_listing - _offset < EntryHeaderSize)
        {
            throw Corrupt("an entry is cut off");
        }

        long entryStart = _offset;
        ushort inodeOffset = _cursor.ReadUInt16();
        short inodeDelta = (short)_cursor.ReadUInt16();
        ushort type = _cursor.ReadUInt16();
        int size = _cursor.ReadUInt16() + 1;
        if (size > SquashFsLayout.MaxNameLength || _listing - _offset - EntryHeaderSize < size)
        {
            throw Corrupt($"an entry has a {size}-byte name");
        }

        _cursor.Read(name[..size]);
        if (!SquashFsNames.IsValidEntryName(name[..size]))
        {
            throw Corrupt("an entry has an invalid name");
        }

        FileKind kind = ((InodeType)type).ToKind() ?? throw Corrupt($"an entry has unknown type {type}");
        if (inodeOffset >= SquashFsLayout.MetadataBlockSize)
        {
            throw Corrupt("an entry points outside an inode block");
        }

        _offset += EntryHeaderSize + size;
        _remainingInHeader--;
        nameLength = size;
        entry = new DirectoryEntry
        {
            InodeRef = ((ulong)_headerBlock << 16) | inodeOffset,
            InodeNumber = unchecked((uint)(_baseInodeNumber + inodeDelta)),
            Kind = kind,
            Cookie = entryStart + DirectoryReader.FirstCookie,
            NextCookie = _offset + DirectoryReader.FirstCookie,
        };
        return true;
    }

    private static SquashFsException Corrupt(string what) =>
        new(SquashFsError.CorruptMetadata, $"directory listing is corrupt: {what}");
}
