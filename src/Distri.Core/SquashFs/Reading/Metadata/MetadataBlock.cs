using Distri.Core.SquashFs.Reading.Caching;

namespace Distri.Core.SquashFs.Reading.Metadata;

/// <summary>One decompressed metadata block. Immutable once built, so readers use it without holding a lock; the
/// cache drops it to the GC (metadata blocks are small and, for a package image, mostly stay cached).</summary>
internal sealed class MetadataBlock(byte[] data, int length, long nextPosition) : ICacheEntry
{
    public byte[] Data { get; } = data;

    /// <summary>Decompressed bytes in <see cref="Data"/> (at most 8 KiB).</summary>
    public int Length { get; } = length;

    /// <summary>Disk position of the block that follows this one.</summary>
    public long NextPosition { get; } = nextPosition;

    public long Weight => Data.Length + 64;

    public void AddRef()
    {
    }

    public void Release()
    {
    }
}
