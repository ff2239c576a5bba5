using Distri.Core.SquashFs.Format;

namespace Distri.Core.FileTree;

/// <summary>
/// A regular file: its length and a way to read its content. Content from a path is read with positional reads;
/// content from a stream factory is read once, front to back. The writer never holds a whole file in memory.
/// </summary>
public sealed class SourceFile : SourceNode
{
    private SourceFile(long length, string? path, Func<Stream>? open)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        Length = length;
        ContentPath = path;
        _open = open;
        Permissions = 0x1A4; // 0644
    }

    private readonly Func<Stream>? _open;

    public override FileKind Kind => FileKind.File;

    /// <summary>The number of content bytes; the writer fails if the content turns out shorter.</summary>
    public long Length { get; }

    /// <summary>The file on disk holding the content, or null when the content comes from a stream factory.</summary>
    public string? ContentPath { get; }

    public static SourceFile FromPath(string path, long length) => new(length, path, null);

    public static SourceFile FromStream(long length, Func<Stream> open) => new(length, null, open);

    public static SourceFile FromBytes(byte[] content) => new(content.Length, null, () => new MemoryStream(content, writable: false));

    /// <summary>Opens the content for one sequential read.</summary>
    public Stream OpenContent() =>
        _open is not null
            ? _open()
            : new FileStream(ContentPath!, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 0, FileOptions.SequentialScan);
}
