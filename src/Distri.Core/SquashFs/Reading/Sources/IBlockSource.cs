namespace Distri.Core.SquashFs.Reading.Sources;

/// <summary>Random-access bytes of an image (a file, or memory in tests). Implementations must allow concurrent reads.</summary>
public interface IBlockSource : IDisposable
{
    /// <summary>The number of bytes the source holds.</summary>
    long Length { get; }

    /// <summary>Reads up to <paramref name="destination"/>.Length bytes at <paramref name="offset"/> (pread semantics).</summary>
    /// <returns>The number of bytes read; 0 only at the end of the source.</returns>
    int Read(long offset, Span<byte> destination);
}
