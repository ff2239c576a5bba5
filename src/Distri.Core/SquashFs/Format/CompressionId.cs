namespace Distri.Core.SquashFs.Format;

/// <summary>Compressor ids of the superblock.</summary>
public enum CompressionId : ushort
{
    /// <summary>Not an on-disk id: the writer stores every block raw and records gzip as the id, as mksquashfs does.</summary>
    None = 0,
    Zlib = 1,
    Lzma = 2,
    Lzo = 3,
    Xz = 4,
    Lz4 = 5,
    Zstd = 6,
}
