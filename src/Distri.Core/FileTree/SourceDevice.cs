using Distri.Core.SquashFs.Format;

namespace Distri.Core.FileTree;

/// <summary>A character or block device node.</summary>
public sealed class SourceDevice : SourceNode
{
    public SourceDevice(FileKind kind, uint major, uint minor)
    {
        if (kind is not (FileKind.CharDevice or FileKind.BlockDevice))
        {
            throw new ArgumentOutOfRangeException(nameof(kind), kind, "a device is a char or block device");
        }

        Kind = kind;
        Major = major;
        Minor = minor;
        Permissions = 0x1B0; // 0660
    }

    public override FileKind Kind { get; }

    public uint Major { get; }

    public uint Minor { get; }
}
