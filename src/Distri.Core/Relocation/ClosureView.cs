using System.Text;
using Distri.Core.Debian;
using Distri.Core.FileTree;

namespace Distri.Core.Relocation;

/// <summary>
/// All members of a closure seen as one merged root, as dpkg would have unpacked them: a path ("bin/python3") is
/// looked up in the members in a preference order (the asking member, then its declared dependencies breadth
/// first, then everyone else in input order), and symlinks are followed across members as the kernel would.
/// </summary>
internal sealed class ClosureView
{
    private const int MaxSymlinkHops = 40;

    private readonly Dictionary<string, List<ClosureMember>> _byPath = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ClosureMember> _byName = new(StringComparer.Ordinal);
    private readonly Dictionary<ClosureMember, IReadOnlyList<ClosureMember>> _preference = new(ReferenceEqualityComparer.Instance);

    public ClosureView(IReadOnlyList<ClosureMember> members)
    {
        Members = members;
        foreach (var member in members)
        {
            _byName.TryAdd(member.FullName, member);
            foreach (string path in member.Nodes.Keys)
            {
                if (!_byPath.TryGetValue(path, out var list))
                {
                    _byPath[path] = list = [];
                }

                list.Add(member);
            }
        }
    }

    public IReadOnlyList<ClosureMember> Members { get; }

    public ClosureMember? ByName(string fullName) => _byName.GetValueOrDefault(fullName);

    /// <summary>The member itself, then its declared runtime closure breadth first, then the rest in input order.</summary>
    public IReadOnlyList<ClosureMember> Preference(ClosureMember from)
    {
        if (_preference.TryGetValue(from, out var cached))
        {
            return cached;
        }

        var order = new List<ClosureMember>();
        var seen = new HashSet<ClosureMember>(ReferenceEqualityComparer.Instance);
        var queue = new Queue<ClosureMember>();
        queue.Enqueue(from);
        seen.Add(from);
        while (queue.Count > 0)
        {
            var member = queue.Dequeue();
            order.Add(member);
            foreach (string dependency in member.Package.Dependencies)
            {
                if (ByName(dependency) is { } next && seen.Add(next))
                {
                    queue.Enqueue(next);
                }
            }
        }

        order.AddRange(Members.Where(seen.Add));
        return _preference[from] = order;
    }

    /// <summary>
    /// Follows <paramref name="path"/> (relative to the merged root) through symlinks in every component; returns the
    /// member and path of the final non-symlink node, or null when some component exists nowhere or links loop.
    /// </summary>
    public (ClosureMember Member, string Path, SourceNode Node)? Resolve(ClosureMember from, string path)
    {
        var pending = new Stack<string>(Split(path).Reverse());
        var resolved = new List<string>();
        int hops = 0;
        (ClosureMember Member, SourceNode Node)? last = null;
        while (pending.Count > 0)
        {
            string part = pending.Pop();
            if (part == "..")
            {
                if (resolved.Count > 0)
                {
                    resolved.RemoveAt(resolved.Count - 1);
                }

                continue;
            }

            resolved.Add(part);
            string current = string.Join('/', resolved);
            var found = Lookup(from, current);
            if (found is null)
            {
                return null;
            }

            if (found.Value.Node is SourceSymlink link)
            {
                if (++hops > MaxSymlinkHops)
                {
                    return null;
                }

                string target = Encoding.UTF8.GetString(link.Target);
                resolved.RemoveAt(resolved.Count - 1);
                if (target.StartsWith('/'))
                {
                    resolved.Clear();
                    target = MapAbsolute(target) ?? "";
                }

                foreach (string piece in Split(target).Reverse())
                {
                    pending.Push(piece);
                }

                last = null;
                continue;
            }

            if (found.Value.Node is not SourceDirectory && pending.Count > 0)
            {
                return null;
            }

            last = found;
        }

        return last is { } end ? (end.Member, string.Join('/', resolved), end.Node) : null;
    }

    /// <summary>The node at exactly <paramref name="path"/> (no symlink followed), from the first member in preference order that has it.</summary>
    public (ClosureMember Member, SourceNode Node)? Lookup(ClosureMember from, string path)
    {
        if (!_byPath.TryGetValue(path, out var owners))
        {
            return null;
        }

        if (owners.Count == 1)
        {
            return (owners[0], owners[0].Nodes[path]);
        }

        // A non-directory wins over a directory of the same name only in its own member; otherwise prefer by order.
        foreach (var member in Preference(from))
        {
            if (member.Nodes.TryGetValue(path, out var node))
            {
                return (member, node);
            }
        }

        return null;
    }

    /// <summary>Maps an absolute Debian path ("/usr/bin/perl") to the merged root ("bin/perl"); null for "/".</summary>
    public static string? MapAbsolute(string absolute)
    {
        string? mapped = DebPathMapping.MapPath(absolute);
        return string.IsNullOrEmpty(mapped) ? null : mapped;
    }

    public static string Directory(string path)
    {
        int slash = path.LastIndexOf('/');
        return slash < 0 ? "" : path[..slash];
    }

    public static string Combine(string directory, string name) => directory.Length == 0 ? name : directory + "/" + name;

    public static IEnumerable<string> Split(string path) => path.Split('/', StringSplitOptions.RemoveEmptyEntries).Where(p => p != ".");

    /// <summary>
    /// A relative symlink <paramref name="target"/> joined lexically to the link's <paramref name="directory"/>; null
    /// when it climbs above the root or names the root itself.
    /// </summary>
    public static string? Lexical(string directory, string target)
    {
        var parts = new List<string>(Split(directory));
        foreach (string part in Split(target))
        {
            if (part != "..")
            {
                parts.Add(part);
            }
            else if (parts.Count == 0)
            {
                return null;
            }
            else
            {
                parts.RemoveAt(parts.Count - 1);
            }
        }

        return parts.Count == 0 ? null : string.Join('/', parts);
    }
}
