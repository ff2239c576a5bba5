using Distri.Core.SquashFs.Compression;
using Distri.Core.SquashFs.Reading.Sources;

namespace Distri.Core.SquashFs.Reading;

/// <summary>
/// The only way the reader touches image bytes: every read is checked against the used size of the image, and
/// every decompression goes through a per-thread decompressor (codecs are not thread-safe).
/// </summary>
internal sealed class ImageAccess : IDisposable
{
    // Decompressors keep no state between blocks, so one per thread and codec serves every open image: the /ro
    // server opens hundreds of images, and per-image contexts would multiply memory by that count.
    [ThreadStatic]
    private static IBlockDecompressor?[]? _perThreadDecompressors;

    private readonly IBlockSource _source;
    private readonly bool _ownsSource;
    private readonly BlockCodec _codec;

    public ImageAccess(IBlockSource source, bool ownsSource, long end, BlockCodec codec)
    {
        _source = source;
        _ownsSource = ownsSource;
        _codec = codec;
        End = end;
    }

    /// <summary>bytes_used: nothing of the image lies at or beyond this offset.</summary>
    public long End { get; }

    /// <summary>Reads exactly <paramref name="destination"/>.Length bytes at <paramref name="offset"/>, or fails with
    /// <see cref="SquashFsError.Truncated"/> when they are not all inside the image.</summary>
    public void ReadExactly(long offset, Span<byte> destination)
    {
        if (offset < 0 || offset > End || destination.Length > End - offset)
        {
            throw new SquashFsException(
                SquashFsError.Truncated, $"read of {destination.Length} bytes at {offset} lies outside the image ({End} bytes)");
        }

        while (!destination.IsEmpty)
        {
            int read = _source.Read(offset, destination);
            if (read <= 0)
            {
                throw new SquashFsException(SquashFsError.Truncated, $"image ends early at offset {offset}");
            }

            offset += read;
            destination = destination[read..];
        }
    }

    /// <summary>Decompresses one block into <paramref name="destination"/>, whose length is the most the block may
    /// produce; anything else a codec throws on hostile input becomes <see cref="SquashFsError.CorruptData"/>.</summary>
    public int Decompress(ReadOnlySpan<byte> source, Span<byte> destination)
    {
        try
        {
            IBlockDecompressor?[] decompressors = _perThreadDecompressors ??= new IBlockDecompressor?[8];
            int slot = (int)_codec.Id & 7;
            IBlockDecompressor decompressor = decompressors[slot] ??= _codec.CreateDecompressor();
            return decompressor.Decompress(source, destination);
        }
        catch (SquashFsException)
        {
            throw;
        }
        catch (Exception e) when (e is not OutOfMemoryException and not ObjectDisposedException)
        {
            throw new SquashFsException(SquashFsError.CorruptData, $"block does not decompress: {e.Message}", e);
        }
    }

    public void Dispose()
    {
        if (_ownsSource)
        {
            _source.Dispose();
        }
    }
}
