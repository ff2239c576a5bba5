using System.Formats.Tar;
using Distri.Core.FileTree;

namespace Distri.Core.Debian;

/// <summary>
/// Builds a <see cref="SourceDirectory"/> from data.tar entries in archive order: directories (created on demand,
/// merged when usr/X and X both occur), regular files (small ones in memory, large ones spooled to a temporary
/// file so memory stays bounded), symlinks (absolute targets into the package made relative once every path is
/// known) and hard links (the same <see cref="SourceFile"/> node under a second name).
/// </summary>
internal sealed class DebTreeBuilder(string spoolDirectory, Action<string> warn)
{
    /// <summary>Files up to this size are held in memory; larger ones go to the spool directory.</summary>
    public const int InMemoryLimit = 1 << 20;

    /// <summary>All in-memory files of one package together stay under this; later ones are spooled.</summary>
    public const long InMemoryBudget = 64L << 20;

    private readonly SourceDirectory _root = new();
    private readonly Dictionary<string, SourceDirectory> _directories = new(StringComparer.Ordinal);
    private readonly Dictionary<string, SourceNode> _nodes = new(StringComparer.Ordinal);
    private readonly List<(string DebianPath, string Path, string Directory, string Name, SourceSymlink Link)> _symlinks = [];
    private int _spooled;
    private long _inMemoryBytes;

    public void Add(TarEntry entry)
    {
        string? path = DebPathMapping.MapPath(entry.Name);
        if (path is null)
        {
            throw new InvalidDataException($"data.tar: entry '{entry.Name}' escapes the package root");
        }

        if (path.Length == 0)
        {
            if (entry.EntryType == TarEntryType.Directory)
            {
                CopyAttributes(entry, _root);
            }

            return;
        }

        if (entry.EntryType == TarEntryType.Directory)
        {
            var directory = GetDirectory(path);
            CopyAttributes(entry, directory);
            return;
        }

        if (_nodes.ContainsKey(path) || _directories.ContainsKey(path))
        {
            warn($"{entry.Name}: {path} already exists in the package (from another spelling of the path); skipped");
            return;
        }

        int slash = path.LastIndexOf('/');
        var parent = slash < 0 ? _root : GetDirectory(path[..slash]);
        string name = path[(slash + 1)..];
        switch (entry.EntryType)
        {
            case TarEntryType.RegularFile or TarEntryType.V7RegularFile or TarEntryType.ContiguousFile:
                _nodes[path] = parent.Add(name, CopyAttributes(entry, ReadFile(entry)));
                break;
            case TarEntryType.SymbolicLink:
                var link = CopyAttributes(entry, new SourceSymlink(entry.LinkName));
                link.Permissions = 0x1FF;
                _symlinks.Add((entry.Name, path, slash < 0 ? "" : path[..slash], name, link));
                _nodes[path] = link;
                break;
            case TarEntryType.HardLink:
                string? target = DebPathMapping.MapPath(entry.LinkName);
                if (target is null || !_nodes.TryGetValue(target, out var node) || node is not SourceFile file)
                {
                    throw new InvalidDataException($"data.tar: hard link '{entry.Name}' names '{entry.LinkName}', which is not an earlier regular file");
                }

                _nodes[path] = parent.Add(name, file);
                break;
            default:
                warn($"{entry.Name}: {entry.EntryType} entries are not imported");
                break;
        }
    }

    /// <summary>Adds the symlinks, with absolute targets into the package rewritten relative, and returns the root.</summary>
    public SourceDirectory Finish()
    {
        foreach (var (debianPath, path, directory, name, link) in _symlinks)
        {
            string target = System.Text.Encoding.UTF8.GetString(link.Target);
            string rewritten = DebPathMapping.RewriteTarget(debianPath, path, target, p => _nodes.ContainsKey(p) || _directories.ContainsKey(p));
            var final = rewritten == target ? link : new SourceSymlink(rewritten)
            {
                Uid = link.Uid,
                Gid = link.Gid,
                ModificationTime = link.ModificationTime,
            };
            (directory.Length == 0 ? _root : _directories[directory]).Add(name, final);
        }

        return _root;
    }

    private SourceFile ReadFile(TarEntry entry)
    {
        long length = entry.Length;
        using var content = entry.DataStream ?? Stream.Null;
        if (length <= InMemoryLimit && _inMemoryBytes + length <= InMemoryBudget)
        {
            _inMemoryBytes += length;
            byte[] bytes = new byte[length];
            content.ReadExactly(bytes);
            return SourceFile.FromBytes(bytes);
        }

        string spool = Path.Combine(spoolDirectory, $"{_spooled++}.data");
        using (var output = new FileStream(spool, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
        {
            content.CopyTo(output);
            if (output.Length != length)
            {
                throw new InvalidDataException($"data.tar: '{entry.Name}' is shorter than its header says");
            }
        }

        return SourceFile.FromPath(spool, length);
    }

    private SourceDirectory GetDirectory(string path)
    {
        if (_directories.TryGetValue(path, out var directory))
        {
            return directory;
        }

        if (_nodes.ContainsKey(path))
        {
            throw new InvalidDataException($"data.tar: '{path}' is both a file and a directory");
        }

        int slash = path.LastIndexOf('/');
        var parent = slash < 0 ? _root : GetDirectory(path[..slash]);
        directory = parent.Add(path[(slash + 1)..], new SourceDirectory());
        _directories[path] = directory;
        return directory;
    }

    private static T CopyAttributes<T>(TarEntry entry, T node)
        where T : SourceNode
    {
        node.Permissions = (ushort)entry.Mode;
        node.Uid = (uint)entry.Uid;
        node.Gid = (uint)entry.Gid;

        node.ModificationTime = Math.Clamp(entry.ModificationTime.ToUnixTimeSeconds(), 0, uint.MaxValue);
        return node;
    }
}
