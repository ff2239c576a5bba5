using System.Buffers.Binary;

namespace Distri.Core.SquashFs.Writing;

/// <summary>
/// Packs the content of small files into shared fragment blocks (tail packing) and keeps the fragment table:
/// where each fragment block landed, as 16-byte entries {start, size word, unused}.
/// </summary>
internal sealed class FragmentPacker(DataBlockPipeline pipeline, int blockSize) : IBlockOwner
{
    private readonly List<(long Start, uint SizeWord)> _entries = [];
    private byte[] _buffer = new byte[blockSize];
    private int _fill;
    private int _blocks;

    public int Count => _entries.Count;

    /// <summary>Room for <paramref name="length"/> bytes in the current fragment block, starting a new block if needed.</summary>
    public Span<byte> Reserve(int length, out uint index, out uint offset)
    {
        if (_fill + length > _buffer.Length)
        {
            Flush();
        }

        index = (uint)_blocks;
        offset = (uint)_fill;
        _fill += length;
        return _buffer.AsSpan((int)offset, length);
    }

    /// <summary>Gives back the last reservation (its content turned out to be stored already).</summary>
    public void Unreserve(int length) => _fill -= length;

    /// <summary>Sends the current fragment block to the pipeline.</summary>
    public void Flush()
    {
        if (_fill == 0)
        {
            return;
        }

        var job = pipeline.Rent();
        // Swap buffers instead of copying: the job takes the filled block, the packer the job's spare buffer.
        (job.Input, _buffer) = (_buffer, job.Input);
        job.Length = _fill;
        job.MayBeHole = false;
        job.Owner = this;
        job.Index = _blocks;
        pipeline.Submit(job);
        _blocks++;
        _fill = 0;
    }

    public void OnBlockWritten(int index, long position, uint sizeWord, int length) => _entries.Add((position, sizeWord));

    public void WriteEntries(MetadataWriter table)
    {
        Span<byte> entry = stackalloc byte[16];
        foreach (var (start, sizeWord) in _entries)
        {
            BinaryPrimitives.WriteUInt64LittleEndian(entry, (ulong)start);
            BinaryPrimitives.WriteUInt32LittleEndian(entry[8..], sizeWord);
            BinaryPrimitives.WriteUInt32LittleEndian(entry[12..], 0);
            table.Write(entry);
        }
    }
}
