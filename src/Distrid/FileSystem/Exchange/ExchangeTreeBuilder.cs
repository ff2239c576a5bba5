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
/// </summary>
public static class ExchangeTreeBuilder
{
    /// <summary>Paths deeper than this are left out; a hostile image cannot make the merge recurse without bound.</summary>
    public const int MaxDepth = 128;

    public static ExchangeTree Build(IEnumerable<(PackageName Package, PackageManifest Manifest)> packages, IReadOnlyDictionary<string, string> pins)
    {
        var active = SelectActive(packages, pins);
        var conflicts = new List<ExchangeConflict>();
        var roots = new List<ExchangeNode>();
        // One trie for all exchange directories: every manifest path is inserted once.
        var trie = new TrieNode();
        foreach (var (package, manifest) in active)
        {
            Insert(trie, package, manifest);
        }

        foreach (string dir in PackageManifest.ExchangeDirectories)
        {
            if (trie.Children.TryGetValue(dir, out var top))
            {
                roots.Add(Resolve(dir, top, dir, depth: 1, conflicts));
            }
        }

        return new ExchangeTree(roots, conflicts);
    }

    /// <summary>One package per (name, arch): the pinned one, else the highest revision; sorted by the conflict order.</summary>
    internal static List<(PackageName Package, PackageManifest Manifest)> SelectActive(
        IEnumerable<(PackageName Package, PackageManifest Manifest)> packages, IReadOnlyDictionary<string, string> pins)
    {
        var byName = new Dictionary<string, (PackageName Package, PackageManifest Manifest)>(StringComparer.Ordinal);
        foreach (var candidate in packages)
        {
            string key = candidate.Package.NameArch;
            if (!byName.TryGetValue(key, out var current) || Prefer(candidate.Package, current.Package, pins))
            {
                byName[key] = candidate;
            }
        }

        var active = byName.Values.ToList();
        active.Sort((a, b) => ConflictOrder(a.Package, b.Package));
        return active;
    }

    private static bool Prefer(PackageName candidate, PackageName current, IReadOnlyDictionary<string, string> pins)
    {
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

    private static void Insert(TrieNode root, PackageName package, PackageManifest manifest)
    {
        foreach (var entry in manifest.Entries)
        {
            // Latin-1 maps each byte to one char, so ordinal string order is bytewise order and no name is altered.
            string[] parts = Encoding.Latin1.GetString(entry.Path).Split('/');
            if (parts.Length > MaxDepth || parts.Any(p => p.Length == 0 || p is "." or ".."))
            {
                continue;
            }

            var node = root;
            foreach (string part in parts)
            {
                if (!node.Children.TryGetValue(part, out var child))
                {
                    child = new TrieNode();
                    node.Children.Add(part, child);
                }

                node = child;
            }

            node.Providers.Add((package, entry.IsDirectory));
        }
    }

    private static ExchangeNode Resolve(string name, TrieNode node, string path, int depth, List<ExchangeConflict> conflicts)
    {
        byte[] nameBytes = Encoding.Latin1.GetBytes(name);
        // Providers arrive in conflict order because packages were inserted in that order.
        var winner = node.Providers.Count > 0 ? node.Providers[0] : (Package: null, IsDirectory: true);
        if (node.Providers.Count > 1 && !node.Providers.All(p => p.IsDirectory))
        {
            var losers = node.Providers.Skip(1).Where(p => !(winner.IsDirectory && p.IsDirectory)).Select(p => p.Package.FullName).ToList();
            conflicts.Add(new ExchangeConflict(path, winner.Package!.FullName, losers, ConflictReason.NameOrder));
        }

        if (!winner.IsDirectory)
        {
            string up = string.Concat(Enumerable.Repeat("../", depth - 1));
            byte[] target = Encoding.Latin1.GetBytes($"{up}{winner.Package!.FullName}/{path}");
            return ExchangeNode.Link(nameBytes, target, winner.Package.FullName);
        }

        var children = new List<ExchangeNode>(node.Children.Count);
        foreach (var (childName, child) in node.Children.OrderBy(c => c.Key, StringComparer.Ordinal))
        {
            // A child reached only through a leaf provider (no directory provider here) cannot exist on disk.
            children.Add(Resolve(childName, child, path + "/" + childName, depth + 1, conflicts));
        }

        return ExchangeNode.Directory(nameBytes, [.. children]);
    }

    private sealed class TrieNode
    {
        public Dictionary<string, TrieNode> Children { get; } = new(StringComparer.Ordinal);

        public List<(PackageName Package, bool IsDirectory)> Providers { get; } = [];
    }
}
