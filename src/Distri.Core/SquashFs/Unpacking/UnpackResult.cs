namespace Distri.Core.SquashFs.Unpacking;

/// <summary>What an unpack created, and what it could not restore (e.g. device nodes when not root).</summary>
public sealed record UnpackResult
{
    public long Files { get; init; }

    public long Directories { get; init; }

    public long Symlinks { get; init; }

    /// <summary>Device nodes, fifos and sockets.</summary>
    public long SpecialFiles { get; init; }

    public long HardLinks { get; init; }

    /// <summary>Bytes of file content written (holes of sparse files not counted).</summary>
    public long BytesWritten { get; init; }

    public IReadOnlyList<string> Warnings { get; init; } = [];
}
