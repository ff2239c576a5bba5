using System.Text;
using Distri.Core.FileTree;
using Distri.Core.SquashFs.Format;

namespace Distri.Core.SquashFs.Writing;

/// <summary>The validated, numbered tree: the root, every inode by number, and the files in data order.</summary>
internal sealed record PreparedTree(PreparedNode Root, PreparedNode[] ByInodeNumber, List<PreparedNode> Files);

/// <summary>
/// Validates a source tree and fixes every decision that makes images reproducible: names sorted bytewise,
/// inode numbers in post-order (a directory's children before the directory, the root last, as mksquashfs
/// numbers them), hard links as one shared inode, id and xattr indexes in order of first use.
/// </summary>
internal sealed class TreePreparer
{
    private readonly Dictionary<SourceNode, PreparedNode> _nodes = new(ReferenceEqualityComparer.Instance);
    private readonly List<PreparedNode> _byNumber = [];
    private readonly List<PreparedNode> _files = [];
    private readonly IdTableBuilder _ids;
    private readonly XattrTableBuilder _xattrs;
    private readonly int _blockSize;

    private TreePreparer(IdTableBuilder ids, XattrTableBuilder xattrs, int blockSize)
    {
        _ids = ids;
        _xattrs = xattrs;
        _blockSize = blockSize;
    }

    public static PreparedTree Prepare(SourceDirectory root, IdTableBuilder ids, XattrTableBuilder xattrs, int blockSize)
    {
        var preparer = new TreePreparer(ids, xattrs, blockSize);
        var prepared = preparer.PrepareDirectory(root, "/");
        prepared.ParentInodeNumber = (uint)preparer._byNumber.Count + 1;
        return new PreparedTree(prepared, [.. preparer._byNumber], preparer._files);
    }

    private PreparedNode PrepareDirectory(SourceDirectory directory, string path)
    {
        if (_nodes.ContainsKey(directory))
        {
            throw Invalid(path, "is a directory that appears twice in the tree (directories cannot be hard links)");
        }

        var node = new PreparedNode(directory);
        _nodes.Add(directory, node);
        Describe(node, path);

        var entries = directory.Entries.ToArray();
        Array.Sort(entries, (a, b) => ByteArrayComparer.Instance.Compare(a.Name, b.Name));
        var prepared = new PreparedEntry[entries.Length];
        uint subdirectories = 0;
        for (int i = 0; i < entries.Length; i++)
        {
            byte[] name = entries[i].Name;
            string childPath = path == "/" ? "/" + entries[i].DisplayName : path + "/" + entries[i].DisplayName;
            ValidateName(name, path);
            if (i > 0 && name.AsSpan().SequenceEqual(entries[i - 1].Name))
            {
                throw Invalid(childPath, "appears twice in its directory");
            }

            PreparedNode child;
            if (entries[i].Node is SourceDirectory subdirectory)
            {
                child = PrepareDirectory(subdirectory, childPath);
                subdirectories++;
            }
            else
            {
                // A leaf's link count is its number of names; a directory's is 2 + its subdirectories, set by
                // its own PrepareDirectory (its name here is the "2"'s other half, not one more link).
                child = PrepareLeaf(entries[i].Node, childPath);
                child.LinkCount++;
            }

            prepared[i] = new PreparedEntry(name, child);
        }

        node.Entries = prepared;
        node.LinkCount = 2 + subdirectories;
        Number(node);
        foreach (var entry in prepared)
        {
            if (entry.Node.Kind == FileKind.Directory)
            {
                entry.Node.ParentInodeNumber = node.InodeNumber;
            }
        }

        return node;
    }

    private PreparedNode PrepareLeaf(SourceNode source, string path)
    {
        if (_nodes.TryGetValue(source, out var existing))
        {
            return existing; // a hard link: one inode, one more name
        }

        switch (source)
        {
            case SourceSymlink link when link.Target.Length is 0 or > SquashFsLayout.MaxSymlinkLength:
                throw Invalid(path, $"is a symlink whose target is empty or longer than {SquashFsLayout.MaxSymlinkLength} bytes");
            case SourceFile or SourceSymlink or SourceDevice or SourceSpecialFile:
                break;
            default:
                throw Invalid(path, $"is a node of unsupported type {source.GetType().Name}");
        }

        var node = new PreparedNode(source);
        _nodes.Add(source, node);
        Describe(node, path);
        Number(node);
        if (source is SourceFile file)
        {
            long blocks = file.Length / _blockSize + (file.Length % _blockSize == 0 ? 0 : 1);
            if (blocks > int.MaxValue)
            {
                throw Invalid(path, "is too large");
            }

            _files.Add(node);
        }

        return node;
    }

    private void Describe(PreparedNode node, string path)
    {
        node.UidIndex = _ids.IndexOf(node.Source.Uid);
        node.GidIndex = _ids.IndexOf(node.Source.Gid);
        node.XattrId = _xattrs.Add(node.Source.Xattrs, path);
    }

    private void Number(PreparedNode node)
    {
        _byNumber.Add(node);
        node.InodeNumber = (uint)_byNumber.Count;
    }

    private static void ValidateName(byte[] name, string directory)
    {
        string shown = Encoding.UTF8.GetString(name);
        if (name.Length is 0 or > SquashFsLayout.MaxNameLength)
        {
            throw Invalid(directory, $"has an entry name of {name.Length} bytes (1..{SquashFsLayout.MaxNameLength} allowed): {shown}");
        }

        if (name.AsSpan().IndexOfAny((byte)'/', (byte)0) >= 0 || name is [(byte)'.'] or [(byte)'.', (byte)'.'])
        {
            throw Invalid(directory, $"has an invalid entry name \"{shown}\"");
        }
    }

    private static SquashFsException Invalid(string path, string what) => new(SquashFsError.InvalidInput, $"{path} {what}");
}
