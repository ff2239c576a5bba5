using Distri.Core.SquashFs.Format;

namespace Distri.Core.FileTree;

/// <summary>A named pipe (fifo) or a Unix socket: an inode with no content.</summary>
public sealed class SourceSpecialFile : SourceNode
{
    public SourceSpecialFile(FileKind kind)
    {
        if (kind is not (FileKind.Fifo or FileKind.Socket))
        {
            throw new ArgumentOutOfRangeException(nameof(kind), kind, "a special file is a fifo or a socket");
        }

        Kind = kind;
        Permissions = 0x1A4; // 0644
    }

    public override FileKind Kind { get; }
}
