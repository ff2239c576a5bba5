using System.IO.Compression;

namespace Distri.Core.Debian;

/// <summary>Opens a decompressing reader for a .deb member by its file name suffix (.tar.gz, .tar.xz, .tar.zst, .tar).</summary>
internal static class DebCompression
{
    public static bool IsTarMember(string memberName, string baseName) =>
        memberName == baseName + ".tar" || memberName.StartsWith(baseName + ".tar.", StringComparison.Ordinal);

    public static Stream Open(string memberName, Stream compressed)
    {
        string suffix = Path.GetExtension(memberName);
        return suffix switch
        {
            ".tar" => compressed,
            ".gz" => new GZipStream(compressed, CompressionMode.Decompress),
            ".xz" => new XzDecompressionStream(compressed),
            ".zst" => new ZstdSharp.DecompressionStream(compressed),
            _ => throw new InvalidDataException($"{memberName}: unknown compression '{suffix}' (expected gz, xz, zst or none)"),
        };
    }
}
