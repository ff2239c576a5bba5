using Distri.Core.FileTree;

namespace Distri.Core.Relocation;

/// <summary>
/// Makes the relocated tree of one package from its imported tree: nodes replaced by identity (a patched file
/// replaces every hard link of the original), entries replaced by path (a wrapper where the program was), and new
/// entries added (with their parent directories) in a copy, so the imported tree stays as read.
/// </summary>
internal sealed class TreeEditor(SourceDirectory original, long modificationTime)
{
    private readonly Dictionary<SourceNode, SourceNode> _nodes = new(ReferenceEqualityComparer.Instance);
    private readonly Dictionary<string, SourceNode> _paths = new(StringComparer.Ordinal);
    private readonly SortedDictionary<string, SourceNode> _added = new(StringComparer.Ordinal);

    public long ModificationTime => modificationTime;

    public void ReplaceNode(SourceNode old, SourceNode replacement) => _nodes[old] = replacement;

    public void ReplacePath(string path, SourceNode replacement) => _paths[path] = replacement;

    /// <summary>Adds a node at a path that does not exist yet; false when something is already planned there.</summary>
    public bool Add(string path, SourceNode node) => _added.TryAdd(path, node);

    public bool IsAdded(string path) => _added.ContainsKey(path);

    /// <summary>A new symlink with the editor's fixed attributes (root-owned, the package's time), for reproducible images.</summary>
    public SourceSymlink Symlink(string target) => new(target) { ModificationTime = modificationTime };

    public SourceNode Map(SourceNode node) => _nodes.GetValueOrDefault(node, node);

    public SourceDirectory Build(Action<string> warn)
    {
        var directories = new Dictionary<string, SourceDirectory>(StringComparer.Ordinal);
        var root = Copy(original, "", directories);
        foreach (var (path, node) in _added)
        {
            string parentPath = ClosureView.Directory(path);
            var parent = Directory(parentPath, directories, root);
            if (parent is null)
            {
                warn($"{path}: its parent is not a directory; not added");
                continue;
            }

            byte[] name = System.Text.Encoding.UTF8.GetBytes(path[(parentPath.Length == 0 ? 0 : parentPath.Length + 1)..]);
            if (parent.Entries.Any(e => e.Name.AsSpan().SequenceEqual(name)) || directories.ContainsKey(path))
            {
                warn($"{path}: already exists; not added");
                continue;
            }

            parent.Add(name, Map(node));
        }

        return root;
    }

    private SourceDirectory Copy(SourceDirectory source, string path, Dictionary<string, SourceDirectory> directories)
    {
        var copy = new SourceDirectory();
        CopyAttributes(source, copy);
        directories[path] = copy;
        foreach (var entry in source.Entries)
        {
            string child = ClosureView.Combine(path, entry.DisplayName);
            if (_paths.TryGetValue(child, out var replacement))
            {
                copy.Add(entry.Name, replacement);
            }
            else if (entry.Node is SourceDirectory directory)
            {
                copy.Add(entry.Name, Copy(directory, child, directories));
            }
            else
            {
                copy.Add(entry.Name, Map(entry.Node));
            }
        }

        return copy;
    }

    private SourceDirectory? Directory(string path, Dictionary<string, SourceDirectory> directories, SourceDirectory root)
    {
        if (directories.TryGetValue(path, out var existing))
        {
            return existing;
        }

        var parent = Directory(ClosureView.Directory(path), directories, root);
        if (parent is null)
        {
            return null;
        }

        string name = path[(path.LastIndexOf('/') + 1)..];
        if (parent.Entries.Any(e => e.DisplayName == name))
        {
            return null;
        }

        var created = parent.Add(name, new SourceDirectory { ModificationTime = modificationTime });
        directories[path] = created;
        return created;
    }

    public static void CopyAttributes(SourceNode from, SourceNode to)
    {
        to.Permissions = from.Permissions;
        to.Uid = from.Uid;
        to.Gid = from.Gid;
        to.ModificationTime = from.ModificationTime;
        to.Xattrs.AddRange(from.Xattrs);
    }
}
