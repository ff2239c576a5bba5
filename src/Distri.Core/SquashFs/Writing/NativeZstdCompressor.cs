using Distri.Core.Interop;
using Distri.Core.SquashFs.Compression;
using Distri.Core.SquashFs.Format;

namespace Distri.Core.SquashFs.Writing;

/// <summary>A zstd block compressor over the system's libzstd, with one reusable context per thread.</summary>
internal sealed unsafe class NativeZstdCompressor : IBlockCompressor
{
    private readonly int _level;
    private nint _context;

    private NativeZstdCompressor(int level)
    {
        _level = level;
        _context = NativeZstd.CreateCCtx();
        if (_context == 0)
        {
            throw new OutOfMemoryException("ZSTD_createCCtx failed");
        }
    }

    /// <summary>The fastest compressor for the options: libzstd when present, else the codec's own.</summary>
    public static IBlockCompressor Create(SquashFsWriterOptions options) =>
        options.Compression == CompressionId.Zstd && NativeZstd.IsAvailable
            ? new NativeZstdCompressor(options.CompressionLevel ?? ZstdCodec.DefaultLevel)
            : options.Codec.CreateCompressor(options.CompressionLevel);

    public int Compress(ReadOnlySpan<byte> source, Span<byte> destination)
    {
        fixed (byte* src = source)
        fixed (byte* dst = destination)
        {
            nuint written = NativeZstd.CompressCCtx(_context, dst, (nuint)destination.Length, src, (nuint)source.Length, _level);
            // An error here is almost always "destination too small": the block does not shrink, store it raw.
            return NativeZstd.IsError(written) != 0 || written >= (nuint)source.Length ? 0 : (int)written;
        }
    }

    public void Dispose()
    {
        if (_context != 0)
        {
            NativeZstd.FreeCCtx(_context);
            _context = 0;
        }
    }
}
