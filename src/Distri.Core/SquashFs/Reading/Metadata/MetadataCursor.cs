using System.Buffers.Binary;

namespace Distri.Core.SquashFs.Reading.Metadata;

/// <summary>
/// Reads a metadata stream that may straddle blocks. Blocks are only ever followed forward, each to a strictly later
/// position below the table limit, so no corrupt header can make a cursor loop.
/// </summary>
internal struct MetadataCursor
{
    private readonly MetadataBlockCache _cache;
    private readonly long _limit;
    private MetadataBlock _block;
    private long _blockPosition;
    private int _offset;

    public MetadataCursor(MetadataBlockCache cache, long blockPosition, int offset, long limit)
    {
        _cache = cache;
        _limit = limit;
        _blockPosition = blockPosition;
        _block = cache.Get(blockPosition, limit);
        if (offset > _block.Length)
        {
            throw new SquashFsException(SquashFsError.CorruptMetadata, $"metadata offset {offset} lies beyond its block");
        }

        _offset = offset;
    }

    /// <summary>Disk position of the current block's header.</summary>
    public readonly long BlockPosition => _blockPosition;

    /// <summary>Offset of the next byte inside the current block.</summary>
    public readonly int Offset => _offset;

    public void Read(Span<byte> destination)
    {
        while (!destination.IsEmpty)
        {
            EnsureAvailable();
            int count = Math.Min(destination.Length, _block.Length - _offset);
            _block.Data.AsSpan(_offset, count).CopyTo(destination);
            _offset += count;
            destination = destination[count..];
        }
    }

    /// <summary>
    /// The reference (block relative to <paramref name="regionStart"/> &lt;&lt; 16 | offset) of the next byte; at the
    /// very end of a block, the start of the following one. False when the table ends here.
    /// </summary>
    public readonly bool TryGetReference(long regionStart, out ulong reference)
    {
        if (_offset < _block.Length)
        {
            reference = ((ulong)(_blockPosition - regionStart) << 16) | (uint)_offset;
            return true;
        }

        reference = (ulong)(_block.NextPosition - regionStart) << 16;
        return _block.NextPosition < _limit;
    }

    public void Skip(long count)
    {
        while (count > 0)
        {
            EnsureAvailable();
            int step = (int)Math.Min(count, _block.Length - _offset);
            _offset += step;
            count -= step;
        }
    }

    public ushort ReadUInt16()
    {
        if (_block.Length - _offset >= 2)
        {
            ushort value = BinaryPrimitives.ReadUInt16LittleEndian(_block.Data.AsSpan(_offset));
            _offset += 2;
            return value;
        }

        Span<byte> bytes = stackalloc byte[2];
        Read(bytes);
        return BinaryPrimitives.ReadUInt16LittleEndian(bytes);
    }

    public uint ReadUInt32()
    {
        if (_block.Length - _offset >= 4)
        {
            uint value = BinaryPrimitives.ReadUInt32LittleEndian(_block.Data.AsSpan(_offset));
            _offset += 4;
            return value;
        }

        Span<byte> bytes = stackalloc byte[4];
        Read(bytes);
        return BinaryPrimitives.ReadUInt32LittleEndian(bytes);
    }

    public ulong ReadUInt64()
    {
        if (_block.Length - _offset >= 8)
        {
            ulong value = BinaryPrimitives.ReadUInt64LittleEndian(_block.Data.AsSpan(_offset));
            _offset += 8;
            return value;
        }

        Span<byte> bytes = stackalloc byte[8];
        Read(bytes);
        return BinaryPrimitives.ReadUInt64LittleEndian(bytes);
    }

    private void EnsureAvailable()
    {
        if (_offset >= _block.Length)
        {
            // NextPosition is always beyond the current block, so positions only grow and stay below the limit.
            _blockPosition = _block.NextPosition;
            _block = _cache.Get(_blockPosition, _limit);
            _offset = 0;
        }
    }
}
