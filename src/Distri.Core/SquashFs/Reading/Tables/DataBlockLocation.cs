using Distri.Core.SquashFs.Format;

namespace Distri.Core.SquashFs.Reading.Tables;

/// <summary>Where a data or fragment block lies and how it is stored; also the key of the decompressed-block cache
/// (the size word is part of the key so that one position can never be read both as raw and as compressed).</summary>
internal readonly record struct DataBlockLocation(long Position, uint SizeWord)
{
    public int StoredSize => (int)(SizeWord & ~SquashFsLayout.DataUncompressedFlag);

    public bool IsRaw => (SizeWord & SquashFsLayout.DataUncompressedFlag) != 0;
}
