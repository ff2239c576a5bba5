namespace Distri.Core.SquashFs.Compression;

/// <summary>Decompresses one block. Instances are not thread-safe: one per thread.</summary>
public interface IBlockDecompressor : IDisposable
{
    /// <summary>Decompresses <paramref name="source"/>; fails with <see cref="SquashFsError.CorruptData"/> on bad input
    /// or when the output does not fit <paramref name="destination"/>.</summary>
    /// <returns>The number of bytes written.</returns>
    int Decompress(ReadOnlySpan<byte> source, Span<byte> destination);
}
