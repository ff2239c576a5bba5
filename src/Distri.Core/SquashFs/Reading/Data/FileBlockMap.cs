using System.Buffers.Binary;
using System.Runtime.InteropServices;
using Distri.Core.SquashFs.Format;
using Distri.Core.SquashFs.Reading.Caching;
using Distri.Core.SquashFs.Reading.Inodes;
using Distri.Core.SquashFs.Reading.Metadata;
using Distri.Core.SquashFs.Reading.Tables;

namespace Distri.Core.SquashFs.Reading.Data;

/// <summary>
/// A file's block list turned into disk positions. The list is read once per file (then cached), so a random read
/// finds its block by a checkpoint (one per 64 blocks) plus at most 63 additions instead of summing the whole list.
/// </summary>
internal sealed class FileBlockMap : ICacheEntry
{
    private const int CheckpointShift = 6;
    private const int InitialCapacity = 4096;

    private readonly uint[] _sizes;
    private readonly long[] _checkpoints;

    private FileBlockMap(uint[] sizes, long[] checkpoints)
    {
        _sizes = sizes;
        _checkpoints = checkpoints;
    }

    public int Count => _sizes.Length;

    public long Weight => (_sizes.Length * 4L) + (_checkpoints.Length * 8L) + 64;

    public static FileBlockMap Build(MetadataRegion inodes, in InodeAttributes file, uint blockSize, long imageEnd)
    {
        // Grow the list as it is actually read, so a hostile block count costs memory only for entries that exist.
        uint[] sizes = new uint[Math.Min(file.BlockCount, InitialCapacity)];
        if (file.BlockCount > 0)
        {
            MetadataCursor cursor = inodes.OpenAbsolute(file.TailBlockPosition, file.TailOffset);
            for (int filled = 0; filled < file.BlockCount;)
            {
                if (filled == sizes.Length)
                {
                    Array.Resize(ref sizes, (int)Math.Min(file.BlockCount, sizes.Length * 2L));
                }

                cursor.Read(MemoryMarshal.AsBytes(sizes.AsSpan(filled)));
                filled = sizes.Length;
            }
        }

        long[] checkpoints = new long[(sizes.Length >> CheckpointShift) + 1];
        long position = (long)file.DataStart;
        for (int i = 0; i < sizes.Length; i++)
        {
            if (!BitConverter.IsLittleEndian)
            {
                sizes[i] = BinaryPrimitives.ReverseEndianness(sizes[i]);
            }

            if ((i & ((1 << CheckpointShift) - 1)) == 0)
            {
                checkpoints[i >> CheckpointShift] = position;
            }

            long stored = sizes[i] & ~SquashFsLayout.DataUncompressedFlag;
            if (stored > blockSize || stored > imageEnd - position)
            {
                throw new SquashFsException(SquashFsError.CorruptMetadata, $"file inode {file.InodeNumber}: block {i} lies outside the image");
            }

            position += stored;
        }

        return new FileBlockMap(sizes, checkpoints);
    }

    /// <summary>Where block <paramref name="index"/> lies; a stored size of 0 means a sparse block of zeros.</summary>
    public DataBlockLocation this[int index]
    {
        get
        {
            long position = _checkpoints[index >> CheckpointShift];
            for (int i = index & ~((1 << CheckpointShift) - 1); i < index; i++)
            {
                position += _sizes[i] & ~SquashFsLayout.DataUncompressedFlag;
            }

            return new DataBlockLocation(position, _sizes[index]);
        }
    }

    public void AddRef()
    {
    }

    public void Release()
    {
    }
}
