using Distri.Core.Interop;
using Distri.Core.SquashFs.Format;

namespace Distri.Core.SquashFs.Compression;

/// <summary>
/// zstd with one reusable context per thread: the system's libzstd when present (every Debian system has it; it is
/// the faster of the two), else the managed ZstdSharp port. Both produce and accept the same format.
/// </summary>
public sealed class ZstdCodec : BlockCodec
{
    /// <summary>mksquashfs' default zstd level.</summary>
    public const int DefaultLevel = 15;

    public static readonly ZstdCodec Instance = new();

    public override CompressionId Id => CompressionId.Zstd;

    public override IBlockCompressor CreateCompressor(int? level = null) =>
        NativeZstd.IsAvailable ? new NativeCompressor(level ?? DefaultLevel) : new ManagedCompressor(level ?? DefaultLevel);

    public override IBlockDecompressor CreateDecompressor() =>
        NativeZstd.IsAvailable ? new NativeDecompressor() : new ManagedDecompressor();

    private sealed unsafe class NativeCompressor : IBlockCompressor
    {
        private readonly int _level;
        private nint _context;

        public NativeCompressor(int level)
        {
            _level = level;
            _context = NativeZstd.CreateCCtx();
            if (_context == 0)
            {
                throw new OutOfMemoryException("ZSTD_createCCtx failed");
            }
        }

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

    private sealed unsafe class NativeDecompressor : IBlockDecompressor
    {
        private nint _context = NativeZstd.CreateDCtx();

        public int Decompress(ReadOnlySpan<byte> source, Span<byte> destination)
        {
            if (_context == 0)
            {
                throw new OutOfMemoryException("ZSTD_createDCtx failed");
            }

            fixed (byte* src = source)
            fixed (byte* dst = destination)
            {
                // The destination is bounded by the block size, so a hostile frame cannot make it write further.
                nuint written = NativeZstd.DecompressDCtx(_context, dst, (nuint)destination.Length, src, (nuint)source.Length);
                if (NativeZstd.IsError(written) != 0)
                {
                    throw new SquashFsException(SquashFsError.CorruptData, "zstd block does not decompress (or is larger than the block size)");
                }

                return (int)written;
            }
        }

        public void Dispose()
        {
            if (_context != 0)
            {
                NativeZstd.FreeDCtx(_context);
                _context = 0;
            }
        }
    }

    private sealed class ManagedCompressor(int level) : IBlockCompressor
    {
        private readonly ZstdSharp.Compressor _context = new(level);

        public int Compress(ReadOnlySpan<byte> source, Span<byte> destination) =>
            _context.TryWrap(source, destination, out int written) && written < source.Length ? written : 0;

        public void Dispose() => _context.Dispose();
    }

    private sealed class ManagedDecompressor : IBlockDecompressor
    {
        private readonly ZstdSharp.Decompressor _context = new();

        public int Decompress(ReadOnlySpan<byte> source, Span<byte> destination)
        {
            try
            {
                if (!_context.TryUnwrap(source, destination, out int written))
                {
                    throw new SquashFsException(SquashFsError.CorruptData, "zstd block is larger than the block size");
                }

                return written;
            }
            catch (ZstdSharp.ZstdException e)
            {
                throw new SquashFsException(SquashFsError.CorruptData, $"zstd block does not decompress: {e.Message}", e);
            }
        }

        public void Dispose() => _context.Dispose();
    }
}
