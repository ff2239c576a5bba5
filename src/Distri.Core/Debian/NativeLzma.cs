using System.Runtime.InteropServices;

namespace Distri.Core.Debian;

/// <summary>
/// The system's liblzma (every Debian system has it: dpkg and apt link it). .NET has no xz decoder, and most Debian
/// packages ship data.tar.xz, so the importer decodes through it.
/// </summary>
internal static unsafe partial class NativeLzma
{
    private const string Library = "liblzma.so.5";

    public const int Ok = 0;
    public const int StreamEnd = 1;
    public const int ActionRun = 0;
    public const int ActionFinish = 3;

    /// <summary>Accept .xz files made of several concatenated streams, as xz(1) does.</summary>
    public const uint Concatenated = 0x08;

    [LibraryImport(Library, EntryPoint = "lzma_stream_decoder")]
    public static partial int StreamDecoder(LzmaStream* stream, ulong memoryLimit, uint flags);

    [LibraryImport(Library, EntryPoint = "lzma_code")]
    public static partial int Code(LzmaStream* stream, int action);

    [LibraryImport(Library, EntryPoint = "lzma_end")]
    public static partial void End(LzmaStream* stream);

    /// <summary>lzma_stream from lzma/base.h (x86-64 and arm64 layout); all zero is LZMA_STREAM_INIT.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct LzmaStream
    {
        public byte* NextIn;
        public nuint AvailIn;
        public ulong TotalIn;
        public byte* NextOut;
        public nuint AvailOut;
        public ulong TotalOut;
        public nint Allocator;
        public nint Internal;
        public nint ReservedPtr1;
        public nint ReservedPtr2;
        public nint ReservedPtr3;
        public nint ReservedPtr4;
        public ulong SeekPos;
        public ulong ReservedInt2;
        public nuint ReservedInt3;
        public nuint ReservedInt4;
        public int ReservedEnum1;
        public int ReservedEnum2;
    }
}
