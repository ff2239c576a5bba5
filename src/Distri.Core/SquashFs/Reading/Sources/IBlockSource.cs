namespace Distri.Core.SquashFs.Reading.Sources;

/// <summary>Random-access bytes of an image (a file, or memory in tests). Implementations must allow concurrent reads.</summary>
public interface IBlockSource : IDisposable
{
    /// <summary>The number of bytes the source holds.</summary>
    long Length { get; }

    /// <summary>Reads up to <paramref name="destination"/>.Length bytes at <paramref name="offset"/> (pread semantics).</summary>
    /// <returns>The number of bytes read; 0 only at the end of the source.</returns>
    int Read(long offset, Span<byte> destination);

    /// <summary>
    /// A hint that <paramref name="length"/> bytes at <paramref name="offset"/> will be read soon: a file starts reading
    /// them from its disk now, all at once, so the reads that follow find them in the page cache. Sources in memory
    /// ignore it.
    /// </summary>
    void WillNeed(long offset, long length)
    {
    }
}
