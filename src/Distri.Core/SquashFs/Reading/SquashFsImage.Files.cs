using Distri.Core.SquashFs.Format;
using Distri.Core.SquashFs.Reading.Inodes;
using Distri.Core.SquashFs.Reading.Metadata;

namespace Distri.Core.SquashFs.Reading;

public sealed partial class SquashFsImage
{
    /// <summary>
    /// Reads file bytes at <paramref name="offset"/> into <paramref name="destination"/>, across blocks, sparse
    /// blocks (zeros) and the fragment tail. Allocation-free when the blocks are cached.
    /// </summary>
    /// <returns>Bytes read: less than the span only at the end of the file, 0 at or beyond it.</returns>
    public int Read(ulong fileInodeRef, long offset, Span<byte> destination) =>
        _data.Read(GetInode(fileInodeRef), offset, destination);

    /// <inheritdoc cref="Read(ulong, long, Span{byte})"/>
    public int Read(in InodeAttributes file, long offset, Span<byte> destination) =>
        _data.Read(file, offset, destination);

    /// <summary>Copies a symlink's target into <paramref name="destination"/> when it fits.</summary>
    /// <returns>The target's length in bytes (at most 4095); nothing is copied when it exceeds the span.</returns>
    public int ReadLink(in InodeAttributes symlink, Span<byte> destination)
    {
        if (symlink.Kind != FileKind.Symlink)
        {
            throw new SquashFsException(SquashFsError.WrongType, $"inode {symlink.InodeNumber} is not a symlink");
        }

        int length = (int)symlink.Size;
        if (length <= destination.Length)
        {
            MetadataCursor cursor = _inodeRegion.OpenAbsolute(symlink.TailBlockPosition, symlink.TailOffset);
            cursor.Read(destination[..length]);
        }

        return length;
    }

    public int ReadLink(ulong symlinkInodeRef, Span<byte> destination) => ReadLink(GetInode(symlinkInodeRef), destination);

    /// <summary>A symlink's target bytes (allocates).</summary>
    public byte[] ReadLink(ulong symlinkInodeRef)
    {
        InodeAttributes symlink = GetInode(symlinkInodeRef);
        byte[] target = new byte[symlink.Kind == FileKind.Symlink ? (int)symlink.Size : 0];
        ReadLink(symlink, target);
        return target;
    }
}
