using System.Text;
using Distri.Core.SquashFs.Format;

namespace Distri.Core.FileTree;

/// <summary>A symbolic link; the target is kept as raw bytes (at most 4095, the kernel's PATH_MAX - 1).</summary>
public sealed class SourceSymlink : SourceNode
{
    public SourceSymlink(byte[] target)
    {
        Target = target ?? throw new ArgumentNullException(nameof(target));
        Permissions = 0x1FF; // 0777, as Linux reports for every symlink
    }

    public SourceSymlink(string target)
        : this(Encoding.UTF8.GetBytes(target))
    {
    }

    public override FileKind Kind => FileKind.Symlink;

    public byte[] Target { get; }
}
