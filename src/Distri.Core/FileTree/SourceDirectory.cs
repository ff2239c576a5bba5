using System.Text;
using Distri.Core.SquashFs.Format;

namespace Distri.Core.FileTree;

/// <summary>A directory entry: a name (raw UTF-8 bytes, as the kernel sees it) and the node it names.</summary>
public sealed record SourceEntry(byte[] Name, SourceNode Node)
{
    public string DisplayName => Encoding.UTF8.GetString(Name);
}

/// <summary>A directory and its entries. Entry order does not matter: the writer sorts names bytewise.</summary>
public sealed class SourceDirectory : SourceNode
{
    private readonly List<SourceEntry> _entries = [];

    public SourceDirectory()
    {
        Permissions = 0x1ED; // 0755
    }

    public override FileKind Kind => FileKind.Directory;

    public IReadOnlyList<SourceEntry> Entries => _entries;

    /// <summary>Adds <paramref name="node"/> under <paramref name="name"/>; the writer validates names and duplicates.</summary>
    public T Add<T>(string name, T node)
        where T : SourceNode => Add(Encoding.UTF8.GetBytes(name), node);

    public T Add<T>(byte[] name, T node)
        where T : SourceNode
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(node);
        _entries.Add(new SourceEntry(name, node));
        return node;
    }
}
