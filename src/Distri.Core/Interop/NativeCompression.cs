using System.Runtime.InteropServices;

namespace Distri.Core.Interop;

/// <summary>
/// One-shot, allocation-free entry points of the system's compression libraries (zlib, liblzma, liblz4), which
/// every Debian system has. One-shot calls need no per-stream managed state, so a block costs no GC allocation.
/// </summary>
internal static unsafe partial class NativeCompression
{
    private const string Zlib = "libz.so.1";
    private const string Lzma = "liblzma.so.5";
    private const string Lz4 = "liblz4.so.1";

    public const int ZOk = 0;
    public const int ZBufError = -5;

    [LibraryImport(Zlib, EntryPoint = "compress2")]
    public static partial int ZlibCompress2(byte* dest, nuint* destLen, byte* source, nuint sourceLen, int level);

    [LibraryImport(Zlib, EntryPoint = "uncompress")]
    public static partial int ZlibUncompress(byte* dest, nuint* destLen, byte* source, nuint sourceLen);

    public const int LzmaOk = 0;

    [LibraryImport(Lzma, EntryPoint = "lzma_stream_buffer_decode")]
    public static partial int LzmaStreamBufferDecode(
        ulong* memlimit, uint flags, void* allocator, byte* input, nuint* inPos, nuint inSize, byte* output, nuint* outPos, nuint outSize);

    [LibraryImport(Lz4, EntryPoint = "LZ4_decompress_safe")]
    public static partial int Lz4DecompressSafe(byte* source, byte* dest, int compressedSize, int maxDecompressedSize);
}
