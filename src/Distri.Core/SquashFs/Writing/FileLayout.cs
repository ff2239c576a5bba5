using Distri.Core.SquashFs.Format;

namespace Distri.Core.SquashFs.Writing;

/// <summary>Where one regular file's content went: its data blocks and, for a small file, its fragment.</summary>
internal sealed class FileLayout(int blockCount) : IBlockOwner
{
    public ulong BlocksStart { get; private set; }

    /// <summary>Size words of the data blocks, in order (0 = a hole of zeros).</summary>
    public uint[] BlockSizes { get; private set; } = blockCount == 0 ? [] : new uint[blockCount];

    public uint FragmentIndex { get; set; } = SquashFsLayout.NoFragment;

    public uint FragmentOffset { get; set; }

    /// <summary>Bytes stored as holes.</summary>
    public ulong SparseBytes { get; private set; }

    public void OnBlockWritten(int index, long position, uint sizeWord, int length)
    {
        if (index == 0)
        {
            BlocksStart = (ulong)position;
        }

        BlockSizes[index] = sizeWord;
        if (sizeWord == 0)
        {
            SparseBytes += (ulong)length;
        }
    }

    /// <summary>Makes this file share another file's stored content (duplicate detection).</summary>
    public void CopyFrom(FileLayout other)
    {
        BlocksStart = other.BlocksStart;
        BlockSizes = other.BlockSizes;
        SparseBytes = other.SparseBytes;
        FragmentIndex = other.FragmentIndex;
        FragmentOffset = other.FragmentOffset;
    }
}
