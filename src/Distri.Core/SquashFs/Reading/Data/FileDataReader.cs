using System.Buffers;
using Distri.Core.SquashFs.Format;
using Distri.Core.SquashFs.Reading.Caching;
using Distri.Core.SquashFs.Reading.Inodes;
using Distri.Core.SquashFs.Reading.Metadata;
using Distri.Core.SquashFs.Reading.Tables;

namespace Distri.Core.SquashFs.Reading.Data;

/// <summary>
/// Reads file contents at any offset: full blocks, sparse blocks (zeros) and the tail in a fragment block.
/// Decompressed blocks are cached by disk position, so the many small reads FUSE sends for one block decompress it
/// once; a cache hit allocates nothing.
/// </summary>
internal sealed class FileDataReader(
    ImageAccess access, MetadataRegion inodes, FragmentTable fragments, uint blockSize, SquashFsReadOptions options)
{
    private readonly StripedLruCache<DataBlockLocation, CachedBlock> _blocks = new(options.DataCacheBytes, 32, blockSize + 96);
    private readonly StripedLruCache<ulong, FileBlockMap> _maps = new(options.BlockMapCacheBytes, 16, 64 * 1024);

    public int Read(in InodeAttributes file, long offset, Span<byte> destination)
    {
        if (file.Kind != FileKind.File)
        {
            throw new SquashFsException(SquashFsError.WrongType, $"inode {file.InodeNumber} is not a regular file");
        }

        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        long size = (long)file.Size;
        if (offset >= size || destination.IsEmpty)
        {
            return 0;
        }

        int total = (int)Math.Min(destination.Length, size - offset);
        FileBlockMap? map = null;
        int done = 0;
        while (done < total)
        {
            long position = offset + done;
            long blockIndex = position / blockSize;
            int inBlock = (int)(position % blockSize);
            int chunk = (int)Math.Min(blockSize - inBlock, total - done);
            Span<byte> target = destination.Slice(done, chunk);
            long blockStart = blockIndex * blockSize;
            if (blockIndex < file.BlockCount)
            {
                map ??= GetMap(file);
                DataBlockLocation location = map[(int)blockIndex];
                if (location.StoredSize == 0)
                {
                    target.Clear();
                }
                else if (inBlock == 0 && chunk == Math.Min(blockSize, size - blockStart))
                {
                    ReadWholeBlock(location, target);
                }
                else
                {
                    CopyFromBlock(location, inBlock, target, (int)Math.Min(blockSize, size - blockStart));
                }
            }
            else
            {
                if (!file.HasFragment)
                {
                    throw new SquashFsException(SquashFsError.CorruptMetadata, $"file inode {file.InodeNumber} has no block for offset {position}");
                }

                DataBlockLocation fragment = fragments.Get(file.FragmentIndex);
                int tailStart = (int)file.FragmentOffset;
                CopyFromBlock(fragment, tailStart + inBlock, target, tailStart + (int)(size - blockStart));
            }

            done += chunk;
        }

        return total;
    }

    public void Clear()
    {
        _blocks.Clear();
        _maps.Clear();
    }

    private FileBlockMap GetMap(in InodeAttributes file)
    {
        if (_maps.TryGet(file.InodeRef, out FileBlockMap? map))
        {
            return map;
        }

        return _maps.AddOrGet(file.InodeRef, FileBlockMap.Build(inodes, file, blockSize, access.End));
    }

    private void CopyFromBlock(DataBlockLocation location, int offsetInBlock, Span<byte> target, int requiredLength)
    {
        CachedBlock block = Acquire(location);
        try
        {
            if (block.Length < requiredLength)
            {
                throw new SquashFsException(
                    SquashFsError.CorruptData, $"block at {location.Position} holds {block.Length} bytes, {requiredLength} expected");
            }

            block.Bytes.Slice(offsetInBlock, target.Length).CopyTo(target);
        }
        finally
        {
            block.Release();
        }
    }

    /// <summary>
    /// A READ that wants a whole block (sequential reads: the kernel's page cache keeps it afterwards) gets it
    /// from the cache if it is there, else decompressed straight into the reply: no copy, no cache churn that
    /// would evict the blocks random readers reuse.
    /// </summary>
    private void ReadWholeBlock(DataBlockLocation location, Span<byte> target)
    {
        if (_blocks.TryGet(location, out CachedBlock? cached))
        {
            try
            {
                if (cached.Length != target.Length)
                {
                    throw new SquashFsException(
                        SquashFsError.CorruptData, $"block at {location.Position} holds {cached.Length} bytes, {target.Length} expected");
                }

                cached.Bytes[..target.Length].CopyTo(target);
            }
            finally
            {
                cached.Release();
            }

            return;
        }

        int stored = location.StoredSize;
        int length;
        if (location.IsRaw)
        {
            if (stored != target.Length)
            {
                throw new SquashFsException(SquashFsError.CorruptData, $"raw block at {location.Position} holds {stored} bytes, {target.Length} expected");
            }

            access.ReadExactly(location.Position, target);
            return;
        }

        byte[] compressed = ArrayPool<byte>.Shared.Rent(stored);
        try
        {
            access.ReadExactly(location.Position, compressed.AsSpan(0, stored));
            length = access.Decompress(compressed.AsSpan(0, stored), target);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(compressed);
        }

        if (length != target.Length)
        {
            throw new SquashFsException(SquashFsError.CorruptData, $"block at {location.Position} holds {length} bytes, {target.Length} expected");
        }
    }

    private CachedBlock Acquire(DataBlockLocation location)
    {
        if (_blocks.TryGet(location, out CachedBlock? cached))
        {
            return cached;
        }

        CachedBlock fresh = Load(location);
        CachedBlock used = _blocks.AddOrGet(location, fresh);
        if (!ReferenceEquals(used, fresh))
        {
            fresh.Release();
        }

        return used;
    }

    private CachedBlock Load(DataBlockLocation location)
    {
        int stored = location.StoredSize;
        byte[] buffer = ArrayPool<byte>.Shared.Rent((int)blockSize);
        try
        {
            if (location.IsRaw)
            {
                access.ReadExactly(location.Position, buffer.AsSpan(0, stored));
                return new CachedBlock(buffer, stored);
            }

            byte[] compressed = ArrayPool<byte>.Shared.Rent(stored);
            try
            {
                access.ReadExactly(location.Position, compressed.AsSpan(0, stored));
                int length = access.Decompress(compressed.AsSpan(0, stored), buffer.AsSpan(0, (int)blockSize));
                return new CachedBlock(buffer, length);
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(compressed);
            }
        }
        catch
        {
            ArrayPool<byte>.Shared.Return(buffer);
            throw;
        }
    }
}
