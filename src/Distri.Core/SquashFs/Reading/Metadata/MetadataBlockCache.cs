using System.Buffers;
using System.Buffers.Binary;
using Distri.Core.SquashFs.Format;
using Distri.Core.SquashFs.Reading.Caching;

namespace Distri.Core.SquashFs.Reading.Metadata;

/// <summary>Loads metadata blocks (u16 header + at most 8 KiB) by disk position and keeps the decompressed ones.</summary>
internal sealed class MetadataBlockCache(ImageAccess access, long capacityBytes)
{
    private readonly StripedLruCache<long, MetadataBlock> _cache = new(capacityBytes, 16, SquashFsLayout.MetadataBlockSize + 64);

    /// <summary>The block whose header sits at <paramref name="position"/>; it must end at or before
    /// <paramref name="limit"/>, the end of the table being read.</summary>
    public MetadataBlock Get(long position, long limit)
    {
        if (position < 0 || limit > access.End || position > limit - 2)
        {
            throw new SquashFsException(SquashFsError.CorruptMetadata, $"metadata block at {position} lies outside its table");
        }

        if (_cache.TryGet(position, out MetadataBlock? cached))
        {
            if (cached.NextPosition > limit)
            {
                throw new SquashFsException(SquashFsError.CorruptMetadata, $"metadata block at {position} crosses the end of its table");
            }

            return cached;
        }

        return _cache.AddOrGet(position, Load(position, limit));
    }

    public void Clear() => _cache.Clear();

    private MetadataBlock Load(long position, long limit)
    {
        Span<byte> header = stackalloc byte[2];
        access.ReadExactly(position, header);
        ushort word = BinaryPrimitives.ReadUInt16LittleEndian(header);
        int storedSize = word & ~SquashFsLayout.MetadataUncompressedFlag;
        bool raw = (word & SquashFsLayout.MetadataUncompressedFlag) != 0;
        long next = position + 2 + storedSize;
        if (storedSize == 0 || storedSize > SquashFsLayout.MetadataBlockSize || next > limit)
        {
            throw new SquashFsException(SquashFsError.CorruptMetadata, $"metadata block at {position} has an invalid size {storedSize}");
        }

        if (raw)
        {
            byte[] data = new byte[storedSize];
            access.ReadExactly(position + 2, data);
            return new MetadataBlock(data, storedSize, next);
        }

        byte[] compressed = ArrayPool<byte>.Shared.Rent(storedSize);
        try
        {
            access.ReadExactly(position + 2, compressed.AsSpan(0, storedSize));
            byte[] output = new byte[SquashFsLayout.MetadataBlockSize];
            int length = access.Decompress(compressed.AsSpan(0, storedSize), output);
            if (length <= 0)
            {
                throw new SquashFsException(SquashFsError.CorruptMetadata, $"metadata block at {position} decompresses to nothing");
            }

            return new MetadataBlock(output, length, next);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(compressed);
        }
    }
}
