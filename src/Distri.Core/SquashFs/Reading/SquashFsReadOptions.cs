namespace Distri.Core.SquashFs.Reading;

/// <summary>Tuning of one opened image. The defaults suit the /ro FUSE server.</summary>
public sealed record SquashFsReadOptions
{
    /// <summary>Bytes of decompressed data and fragment blocks kept in memory (the random-read cache).</summary>
    public long DataCacheBytes { get; init; } = 32L << 20;

    /// <summary>Bytes of decompressed metadata blocks (inodes, directories, tables) kept in memory.</summary>
    public long MetadataCacheBytes { get; init; } = 8L << 20;

    /// <summary>Bytes of per-file block maps (block positions of recently read files) kept in memory.</summary>
    public long BlockMapCacheBytes { get; init; } = 4L << 20;

    internal static readonly SquashFsReadOptions Default = new();
}
