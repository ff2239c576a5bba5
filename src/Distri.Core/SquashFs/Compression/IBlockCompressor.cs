namespace Distri.Core.SquashFs.Compression;

/// <summary>Compresses one block. Instances keep scratch state and are not thread-safe: one per worker thread.</summary>
public interface IBlockCompressor : IDisposable
{
    /// <summary>Compresses <paramref name="source"/> into <paramref name="destination"/>.</summary>
    /// <returns>The compressed length, or 0 when the result would not be smaller than the input (store it raw).</returns>
    int Compress(ReadOnlySpan<byte> source, Span<byte> destination);
}
