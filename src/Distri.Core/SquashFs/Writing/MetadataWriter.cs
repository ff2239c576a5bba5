using System.Buffers.Binary;
using Distri.Core.SquashFs.Compression;
using Distri.Core.SquashFs.Format;

namespace Distri.Core.SquashFs.Writing;

/// <summary>
/// Builds one metadata table in memory: records are appended to 8 KiB blocks (records may straddle blocks), each
/// block compressed unless that does not shrink it, behind a u16 header. <see cref="Reference"/> is the SquashFS
/// reference of the next byte: (start of its block relative to the table) &lt;&lt; 16 | offset inside the block.
/// </summary>
internal sealed class MetadataWriter
{
    private readonly IBlockCompressor _compressor;
    private readonly byte[] _pending = new byte[SquashFsLayout.MetadataBlockSize];
    private readonly byte[] _compressed = new byte[SquashFsLayout.MetadataBlockSize];
    private readonly MemoryStream _blocks = new();
    private readonly List<long> _blockStarts = [];
    private int _pendingLength;

    public MetadataWriter(IBlockCompressor compressor)
    {
        _compressor = compressor;
    }

    /// <summary>The reference of the next byte written. The offset part is always below 8 KiB.</summary>
    public ulong Reference => ((ulong)_blocks.Length << 16) | (uint)_pendingLength;

    /// <summary>Bytes of finished blocks (headers included).</summary>
    public long Length => _blocks.Length;

    /// <summary>Where each finished block starts, relative to the table.</summary>
    public IReadOnlyList<long> BlockStarts => _blockStarts;

    /// <summary>Uncompressed bytes written so far.</summary>
    public long PayloadLength { get; private set; }

    public void Write(ReadOnlySpan<byte> data)
    {
        PayloadLength += data.Length;
        while (!data.IsEmpty)
        {
            int n = Math.Min(_pending.Length - _pendingLength, data.Length);
            data[..n].CopyTo(_pending.AsSpan(_pendingLength));
            _pendingLength += n;
            data = data[n..];
            if (_pendingLength == _pending.Length)
            {
                EmitBlock();
            }
        }
    }

    public void WriteUInt16(ushort value)
    {
        Span<byte> b = stackalloc byte[2];
        BinaryPrimitives.WriteUInt16LittleEndian(b, value);
        Write(b);
    }

    public void WriteUInt32(uint value)
    {
        Span<byte> b = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(b, value);
        Write(b);
    }

    public void WriteUInt64(ulong value)
    {
        Span<byte> b = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(b, value);
        Write(b);
    }

    /// <summary>Closes the last, partial block. Call once, after the last record.</summary>
    public void Finish()
    {
        if (_pendingLength > 0)
        {
            EmitBlock();
        }
    }

    /// <summary>Appends the finished blocks to the image.</summary>
    public void CopyTo(ImageOutput output) => output.Write(_blocks.GetBuffer().AsSpan(0, (int)_blocks.Length));

    private void EmitBlock()
    {
        _blockStarts.Add(_blocks.Length);
        var payload = _pending.AsSpan(0, _pendingLength);
        int compressed = _compressor.Compress(payload, _compressed);
        Span<byte> header = stackalloc byte[2];
        if (compressed > 0)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(header, (ushort)compressed);
            _blocks.Write(header);
            _blocks.Write(_compressed, 0, compressed);
        }
        else
        {
            BinaryPrimitives.WriteUInt16LittleEndian(header, (ushort)(_pendingLength | SquashFsLayout.MetadataUncompressedFlag));
            _blocks.Write(header);
            _blocks.Write(payload);
        }

        _pendingLength = 0;
    }
}
