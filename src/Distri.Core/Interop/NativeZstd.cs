using System.Runtime.InteropServices;

namespace Distri.Core.Interop;

/// <summary>
/// The system's libzstd (every Debian system has it: apt and systemd link it). Measured on 128 KiB blocks at
/// level 15 it compresses text about 1.7x faster than the managed ZstdSharp port, and it decompresses faster too.
/// </summary>
internal static unsafe partial class NativeZstd
{
    private const string Library = "libzstd.so.1";

    private static readonly Lazy<bool> LibraryPresent = new(() => NativeLibrary.TryLoad(Library, out _));

    public static bool IsAvailable => LibraryPresent.Value;

    [LibraryImport(Library, EntryPoint = "ZSTD_createCCtx")]
    public static partial nint CreateCCtx();

    [LibraryImport(Library, EntryPoint = "ZSTD_freeCCtx")]
    public static partial nuint FreeCCtx(nint context);

    [LibraryImport(Library, EntryPoint = "ZSTD_compressCCtx")]
    public static partial nuint CompressCCtx(nint context, byte* destination, nuint destinationCapacity, byte* source, nuint sourceSize, int level);

    [LibraryImport(Library, EntryPoint = "ZSTD_createDCtx")]
    public static partial nint CreateDCtx();

    [LibraryImport(Library, EntryPoint = "ZSTD_freeDCtx")]
    public static partial nuint FreeDCtx(nint context);

    [LibraryImport(Library, EntryPoint = "ZSTD_decompressDCtx")]
    public static partial nuint DecompressDCtx(nint context, byte* destination, nuint destinationCapacity, byte* source, nuint sourceSize);

    [LibraryImport(Library, EntryPoint = "ZSTD_isError")]
    public static partial uint IsError(nuint code);
}
