using System.Text;
using Distri.Core.Packages;

namespace Distrid.FileSystem.Exchange;

/// <summary>
/// Merges the manifests of a generation's packages into the exchange trees (<c>/ro/bin</c>, <c>/ro/lib</c>, ...).
/// The rule, in order (documented in docs/ARCHITECTURE.md):
/// <list type="number">
/// <item>Of several revisions of one name and arch, only one is active: the pinned full name if it is present,
/// else the highest revision. The others keep their hermetic paths under /ro/&lt;fullname&gt;/ only.</item>
/// <item>Directories are unions. A path that several active packages provide as a leaf (or as a leaf in one and a
/// directory in another) goes to the package whose name sorts first bytewise, then by architecture order
/// (amd64, arm64, i686); every such path is reported as a conflict.</item>
/// </list>
/// A view (<c>districtl run --with</c>) passes chosen packages: each is its name's active revision and wins every
/// path it provides, before the name order; such conflicts are reported with <see cref="ConflictReason.Chosen"/>.
/// </summary>
public static class ExchangeTreeBuilder
{
    /// <summary>Paths deeper than this are left out; a hostile image cannot make the merge recurse without bound.</summary>
    public const int MaxDepth = 128;

    public static ExchangeTree Build(
        IEnumerable<(PackageName Package, PackageManifest Manifest)> packages, IReadOnlyDictionary<string, string> pins, IReadOnlySet<string>? chosen = null)
    {
        chosen ??= NoneChosen;
        var active = SelectActive(packages, pins, chosen);
        var conflicts = new List<ExchangeConflict>();
        var roots = new List<ExchangeNode>();
        // One trie for all exchange directories: every manifest path is inserted once.
        var trie = new TrieNode();
        foreach (var (package, manifest) in active)
        {
            Insert(trie, package, manifest, chosen.Contains(package.FullName));
        }

        var path = new PathBuffer();
        foreach (string dir in PackageManifest.ExchangeDirectories)
        {
            if (trie.TryGetChild(dir, out var top))
            {
                roots.Add(Resolve(Encoding.Latin1.GetBytes(dir), top, path, depth: 1, conflicts));
            }
        }

        return new ExchangeTree(roots, conflicts);
    }

    private static readonly IReadOnlySet<string> NoneChosen = new HashSet<string>();

    /// <summary>One package per (name, arch): the chosen one, else the pinned one, else the highest revision; sorted
    /// chosen first, then by the conflict order.</summary>
    internal static List<(PackageName Package, PackageManifest Manifest)> SelectActive(
        IEnumerable<(PackageName Package, PackageManifest Manifest)> packages, IReadOnlyDictionary<string, string> pins, IReadOnlySet<string>? chosen = null)
    {
        chosen ??= NoneChosen;
        var byName = new Dictionary<string, (PackageName Package, PackageManifest Manifest)>(StringComparer.Ordinal);
        foreach (var candidate in packages)
        {
            string key = candidate.Package.NameArch;
            if (!byName.TryGetValue(key, out var current) || Prefer(candidate.Package, current.Package, pins, chosen))
            {
                byName[key] = candidate;
            }
        }

        var active = byName.Values.ToList();
        active.Sort((a, b) =>
        {
            int byChoice = chosen.Contains(b.Package.FullName).CompareTo(chosen.Contains(a.Package.FullName));
            return byChoice != 0 ? byChoice : ConflictOrder(a.Package, b.Package);
        });
        return active;
    }

    private static bool Prefer(PackageName candidate, PackageName current, IReadOnlyDictionary<string, string> pins, IReadOnlySet<string> chosen)
    {
        if (chosen.Contains(candidate.FullName) != chosen.Contains(current.FullName))
        {
            return chosen.Contains(candidate.FullName);
        }

        if (pins.TryGetValue(candidate.Name, out string? pinned))
        {
            if (candidate.FullName == pinned)
            {
                return true;
            }

            if (current.FullName == pinned)
            {
                return false;
            }
        }

        return candidate.Revision > current.Revision;
    }

    private static int ConflictOrder(PackageName a, PackageName b)
    {
        int c = string.CompareOrdinal(a.Name, b.Name);
        return c != 0 ? c : ArchRank(a.Arch).CompareTo(ArchRank(b.Arch));
    }

    private static int ArchRank(string arch)
    {
        for (int i = 0; i < PackageName.Architectures.Count; i++)
        {
            if (PackageName.Architectures[i] == arch)
            {
                return i;
            }
        }

        return int.MaxValue;
    }

    private static void Insert(TrieNode root, PackageName package, PackageManifest manifest, bool chosen)
    {
        string fullName = package.FullName;
        byte[] fullNameBytes = Encoding.Latin1.GetBytes(fullName);
        var leaf = new Provider(fullName, fullNameBytes, isDirectory: false, chosen);
        var directory = new Provider(fullName, fullNameBytes, isDirectory: true, chosen);
        // A name is at most 255 bytes in SquashFS; longer components (a damaged cache) are skipped with their entry.
        Span<char> name = stackalloc char[256];
        foreach (var entry in manifest.Entries)
        {
            if (!IsSafe(entry.Path))
            {
                continue;
            }

            var node = root;
            var rest = entry.Path;
            while (true)
            {
                int slash = rest.IndexOf((byte)'/');
                var component = slash < 0 ? rest : rest[..slash];
                // Latin-1 maps each byte to one char, so ordinal string order is bytewise order and no name is altered.
                int length = Encoding.Latin1.GetChars(component, name);
                node = node.Child(name[..length]);
                if (slash < 0)
                {
                    break;
                }

                rest = rest[(slash + 1)..];
            }

            node.AddProvider(entry.IsDirectory ? directory : leaf);
        }
    }

    /// <summary>At most <see cref="MaxDepth"/> components, none empty, none "." or "..", none over 255 bytes.</summary>
    private static bool IsSafe(ReadOnlySpan<byte> path)
    {
        int components = 0;
        while (true)
        {
            int slash = path.IndexOf((byte)'/');
            var component = slash < 0 ? path : path[..slash];
            if (component.IsEmpty || component.Length > 255 || component.SequenceEqual("."u8) || component.SequenceEqual(".."u8) || ++components > MaxDepth)
            {
                return false;
            }

            if (slash < 0)
            {
                return true;
            }

            path = path[(slash + 1)..];
        }
    }

    /// <summary>
    /// Turns the trie below <paramref name="node"/> into exchange nodes. <paramref name="path"/> holds the path of the
    /// parent (bytes, reused down the whole walk): strings are made only for conflicts.
    /// </summary>
    private static ExchangeNode Resolve(byte[] name, TrieNode node, PathBuffer path, int depth, List<ExchangeConflict> conflicts)
    {
        int parentLength = path.Append(name);
        try
        {
            // Providers arrive in conflict order because packages were inserted in that order.
            var winner = node.First;
            int count = node.ProviderCount;
            if (count > 1 && !AllDirectories(node))
            {
                var losers = new List<string>(count - 1);
                for (int i = 1; i < count; i++)
                {
                    var provider = node.ProviderAt(i);
                    if (!(winner!.IsDirectory && provider.IsDirectory))
                    {
                        losers.Add(provider.FullName);
                    }
                }

                conflicts.Add(new ExchangeConflict(path.ToString(), winner!.FullName, losers, winner.Chosen ? ConflictReason.Chosen : ConflictReason.NameOrder));
            }

            if (winner is { IsDirectory: false })
            {
                return ExchangeNode.Link(name, LinkTarget(winner, path.Bytes, depth), winner.FullName);
            }

            // A child reached only through a leaf provider (no directory provider here) cannot exist on disk.
            var sorted = node.SortedChildren();
            var children = new ExchangeNode[sorted.Length];
            for (int i = 0; i < sorted.Length; i++)
            {
                children[i] = Resolve(Encoding.Latin1.GetBytes(sorted[i].Key), sorted[i].Value, path, depth + 1, conflicts);
            }

            return ExchangeNode.Directory(name, children);
        }
        finally
        {
            path.Truncate(parentLength);
        }
    }

    /// <summary><c>../</c> once per level below the exchange root, then <c>&lt;fullname&gt;/&lt;path&gt;</c>.</summary>
    private static byte[] LinkTarget(Provider owner, ReadOnlySpan<byte> path, int depth)
    {
        int up = 3 * (depth - 1);
        byte[] target = new byte[up + owner.FullNameBytes.Length + 1 + path.Length];
        for (int i = 0; i < up; i += 3)
        {
            "../"u8.CopyTo(target.AsSpan(i));
        }

        owner.FullNameBytes.CopyTo(target.AsSpan(up));
        target[up + owner.FullNameBytes.Length] = (byte)'/';
        path.CopyTo(target.AsSpan(up + owner.FullNameBytes.Length + 1));
        return target;
    }

    private static bool AllDirectories(TrieNode node)
    {
        for (int i = 0; i < node.ProviderCount; i++)
        {
            if (!node.ProviderAt(i).IsDirectory)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>A package providing a trie path, as a leaf or as a directory (its full name formatted once).</summary>
    private sealed class Provider(string fullName, byte[] fullNameBytes, bool isDirectory, bool chosen)
    {
        /// <summary>Chosen for a view: it wins the paths it provides.</summary>
        public bool Chosen { get; } = chosen;

        public string FullName { get; } = fullName;

        public byte[] FullNameBytes { get; } = fullNameBytes;

        public bool IsDirectory { get; } = isDirectory;
    }

    /// <summary>A path being walked, as bytes joined by '/': appended to going down, truncated coming back.</summary>
    private sealed class PathBuffer
    {
        private byte[] _bytes = new byte[256];
        private int _length;

        public ReadOnlySpan<byte> Bytes => _bytes.AsSpan(0, _length);

        /// <summary>Appends '/' (unless empty) and <paramref name="name"/>; returns the length to truncate back to.</summary>
        public int Append(ReadOnlySpan<byte> name)
        {
            int before = _length;
            int needed = _length + 1 + name.Length;
            if (needed > _bytes.Length)
            {
                Array.Resize(ref _bytes, Math.Max(needed, _bytes.Length * 2));
            }

            if (_length > 0)
            {
                _bytes[_length++] = (byte)'/';
            }

            name.CopyTo(_bytes.AsSpan(_length));
            _length += name.Length;
            return before;
        }

        public void Truncate(int length) => _length = length;

        public override string ToString() => Encoding.Latin1.GetString(Bytes);
    }

    private sealed class TrieNode
    {
        // Most nodes are leaves or have one child (share/doc/<name>/): a table only from the second child on.
        private string? _onlyName;
        private TrieNode? _only;
        private Dictionary<string, TrieNode>? _children;

        public bool TryGetChild(string name, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out TrieNode? child)
        {
            if (_children is not null)
            {
                return _children.TryGetValue(name, out child);
            }

            child = _onlyName == name ? _only : null;
            return child is not null;
        }

        /// <summary>The children, sorted bytewise (ordinal order of Latin-1 strings) by name.</summary>
        public KeyValuePair<string, TrieNode>[] SortedChildren()
        {
            if (_children is null)
            {
                return _only is null ? [] : [new(_onlyName!, _only)];
            }

            var sorted = _children.ToArray();
            Array.Sort(sorted, static (a, b) => string.CompareOrdinal(a.Key, b.Key));
            return sorted;
        }

        /// <summary>The child called <paramref name="name"/>, created on first use (a string only then).</summary>
        public TrieNode Child(ReadOnlySpan<char> name)
        {
            if (_children is null)
            {
                if (_only is null)
                {
                    _onlyName = new string(name);
                    _only = new TrieNode();
                    return _only;
                }

                if (name.SequenceEqual(_onlyName))
                {
                    return _only;
                }

                _children = new Dictionary<string, TrieNode>(StringComparer.Ordinal) { [_onlyName!] = _only };
                _onlyName = null;
                _only = null;
            }

            var lookup = _children.GetAlternateLookup<ReadOnlySpan<char>>();
            if (!lookup.TryGetValue(name, out var child))
            {
                child = new TrieNode();
                lookup[name] = child;
            }

            return child;
        }

        /// <summary>The first package that provides this path, in conflict order; null for a node only passed through.</summary>
        public Provider? First { get; private set; }

        /// <summary>Usually one package provides a path: a list only for the others (directories such as share/).</summary>
        public List<Provider>? More { get; private set; }

        public int ProviderCount => First is null ? 0 : 1 + (More?.Count ?? 0);

        public Provider ProviderAt(int index) => index == 0 ? First! : More![index - 1];

        public void AddProvider(Provider provider)
        {
            if (First is null)
            {
                First = provider;
            }
            else
            {
                (More ??= []).Add(provider);
            }
        }
    }
}
