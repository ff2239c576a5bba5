namespace Distrid.FileSystem.Exchange;

/// <summary>
/// A node of a merged exchange tree: a directory (union of the packages' directories) or a symlink into the package
/// that owns the path. Immutable once built; a new generation builds a new tree.
/// </summary>
public sealed class ExchangeNode : INamed
{
    private static readonly ExchangeNode[] NoChildren = [];

    private ExchangeNode(byte[] name, ExchangeNode[] children, byte[]? linkTarget, string? owner)
    {
        Name = name;
        Children = children;
        LinkTarget = linkTarget;
        Owner = owner;
    }

    public byte[] Name { get; }

    /// <summary>Children sorted bytewise by name (binary search in <see cref="Find"/>).</summary>
    public ExchangeNode[] Children { get; }

    /// <summary>The relative symlink target, e.g. <c>../less-amd64-530-2/bin/less</c>; null for a directory.</summary>
    public byte[]? LinkTarget { get; }

    /// <summary>The full name of the package that provides this leaf; null for a directory.</summary>
    public string? Owner { get; }

    public bool IsDirectory => LinkTarget is null;

    /// <summary>A node id assigned by the file system that serves the tree (0 until then).</summary>
    public ulong NodeId { get; set; }

    public static ExchangeNode Directory(byte[] name, ExchangeNode[] sortedChildren) => new(name, sortedChildren, null, null);

    public static ExchangeNode Link(byte[] name, byte[] target, string owner) => new(name, NoChildren, target, owner);

    public ExchangeNode? Find(ReadOnlySpan<byte> name) => SortedNames.Find(Children, name);
}
