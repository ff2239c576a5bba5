using System.Text;
using Distri.Core.FileTree;

namespace Distri.Core.Relocation;

/// <summary>
/// Program trees that several packages of a closure fill. dpkg unpacks libreoffice's lib/libreoffice/program from
/// a dozen packages into one directory (oosplash and soffice.bin from libreoffice-core, the soffice launcher,
/// fundamentalrc and sofficerc from libreoffice-common, unorc and services.rdb from ure, libuno_sal.so.3 from
/// libuno-sal3), and its programs find their siblings relative to their own path ($0, /proc/self/exe, realpath)
/// or by the tree's absolute Debian path written in their configuration (<c>BRAND_BASE_DIR=file:///usr/lib/libreoffice</c>).
/// In /ro every package keeps its own tree, and the exchange directories cannot help: they merge, but their entries
/// are symlinks that any realpath leaves. So a package with a program in such a tree carries the tree merged from the
/// whole closure under <see cref="Directory"/>, as dpkg would have made it: the program's real file moves there (its
/// path becomes a link to it), the other entries are links, and the package's text files in the tree name the
/// merged tree instead of /usr/lib/..., /etc/....
/// </summary>
internal static class MergedTrees
{
    /// <summary>Where a package keeps its merged trees: hidden, so it never merges into an exchange directory.</summary>
    public const string Directory = ".distrid/merged";

    /// <summary>Text files larger than this are not searched for the trees' paths.</summary>
    public const long MaxTextBytes = 4 << 20;

    private static readonly string[] Areas = ["lib", "libexec", "share", "etc"];
    private static readonly string[] ExchangeDirectories = ["bin", "sbin", "lib", "lib64", "libexec", "include", "share"];
    private static readonly string[] LibraryDirectories = ["lib/x86_64-linux-gnu", "lib/aarch64-linux-gnu"];

    // Trees every package writes into for the system, never a program's own tree.
    private static readonly HashSet<string> SharedNamespaces = new(StringComparer.Ordinal)
    {
        "share/doc", "share/man", "share/info", "share/lintian", "share/bug", "share/locale", "share/icons", "share/applications",
        "share/pixmaps", "share/metainfo", "share/appdata", "share/mime", "share/fonts", "share/glib-2.0", "share/dbus-1",
        "share/polkit-1", "share/bash-completion", "share/zsh", "share/menu", "share/perl5", "share/python3", "lib/debug",
        "lib/python3", "lib/systemd", "lib/udev", "lib/tmpfiles.d", "lib/sysusers.d", "etc/default", "etc/init.d",
        "etc/systemd", "etc/alternatives",
    };

    /// <summary>What one package gets: links and moved programs by path, and the text rewrites of its own files.</summary>
    public sealed class Plan
    {
        /// <summary>Links under <see cref="Directory"/>: path → target.</summary>
        public SortedDictionary<string, string> Links { get; } = new(StringComparer.Ordinal);

        /// <summary>The member's own files (and empty directories) in the merged tree: path there → its path in the member.</summary>
        public SortedDictionary<string, string> Same { get; } = new(StringComparer.Ordinal);

        /// <summary>Programs whose real file moves into the merged tree: their path → the path in the merged tree.</summary>
        public SortedDictionary<string, string> Moved { get; } = new(StringComparer.Ordinal);

        /// <summary>The trees (merged layout, "lib/libreoffice") whose files are searched for the trees' Debian paths.</summary>
        public List<string> Roots { get; } = [];

        /// <summary>Debian path of a tree ("/usr/lib/libreoffice") → its merged copy ("/ro/&lt;fullname&gt;/.distrid/merged/lib/libreoffice"), longest first.</summary>
        public List<(string From, string To)> Rewrites { get; } = [];

        public bool IsEmpty => Moved.Count == 0;
    }

    /// <summary>
    /// The tree a path belongs to: lib/&lt;name&gt;, libexec/&lt;name&gt;, share/&lt;name&gt;, etc/&lt;name&gt; or
    /// lib/&lt;triplet&gt;/&lt;name&gt;, when the path lies strictly below it; null elsewhere (bin/, a library directory itself).
    /// </summary>
    public static string? TreeOf(string path)
    {
        string[] parts = path.Split('/');
        if (parts.Length >= 4 && LibraryDirectories.Contains(parts[0] + "/" + parts[1]))
        {
            return Shared(string.Join('/', parts[..3]));
        }

        return parts.Length >= 3 && Areas.Contains(parts[0]) && !LibraryDirectories.Contains(parts[0] + "/" + parts[1])
            ? Shared(parts[0] + "/" + parts[1])
            : null;

        static string? Shared(string tree) => SharedNamespaces.Contains(tree) ? null : tree;
    }

    /// <summary>
    /// Plans the merged trees of <paramref name="member"/>: for each tree that holds one of its programs (files it
    /// runs: <paramref name="programs"/>) and that another member fills too, that tree and the trees of the same name
    /// in lib/, libexec/, share/ and etc/ (libreoffice's configuration is in /etc/libreoffice).
    /// <paramref name="runtimeClosure"/> decides the links' targets: a member it holds by its /ro/&lt;fullname&gt;/
    /// path (versioned, like every other link to a dependency); any other member (a package that depends on this one,
    /// as libreoffice-writer on libreoffice-core) through the exchange directory, which holds what is installed, as
    /// dpkg's tree does; outside the exchange directories (etc/) by its /ro/&lt;fullname&gt;/ path.
    /// </summary>
    public static Plan For(ClosureMember member, IEnumerable<string> programs, ClosureView view, IReadOnlyList<ClosureMember> runtimeClosure,
        Func<ClosureMember, IReadOnlyDictionary<string, string>> addedLinks)
    {
        var plan = new Plan();
        var programSet = new SortedSet<string>(StringComparer.Ordinal);
        foreach (string program in programs)
        {
            // Programs under etc/ are hooks (cron.daily, kernel/postinst.d), run by path, not program trees.
            if (TreeOf(program) is { } tree && !tree.StartsWith("etc/", StringComparison.Ordinal) && IsSplit(tree, view))
            {
                programSet.Add(program);
            }
        }

        if (programSet.Count == 0)
        {
            return plan;
        }

        var roots = new SortedSet<string>(StringComparer.Ordinal);
        foreach (string tree in programSet.Select(p => TreeOf(p)!))
        {
            string name = tree[(tree.LastIndexOf('/') + 1)..];
            string parent = tree[..tree.LastIndexOf('/')];
            roots.Add(tree);
            foreach (string area in Areas.Where(a => a != parent))
            {
                if (view.Members.Any(m => m.Nodes.TryGetValue(area + "/" + name, out var node) && node is SourceDirectory))
                {
                    roots.Add(area + "/" + name);
                }
            }
        }

        var closure = new HashSet<ClosureMember>(runtimeClosure, ReferenceEqualityComparer.Instance);
        var order = view.Preference(member);
        var builder = new Builder(member, plan, programSet, roots, order, closure, addedLinks);
        foreach (string root in roots)
        {
            builder.Emit(root);
            plan.Roots.Add(root);
            plan.Rewrites.Add(((root.StartsWith("etc/", StringComparison.Ordinal) ? "/" : "/usr/") + root, WrapperRules.Ro(member, $"{Directory}/{root}")));
        }

        plan.Rewrites.Sort((a, b) => b.From.Length != a.From.Length ? b.From.Length.CompareTo(a.From.Length) : string.CompareOrdinal(a.From, b.From));
        return plan;
    }

    /// <summary>
    /// Replaces each tree's Debian path in <paramref name="text"/> where it stands as a whole path (not inside a longer
    /// name: "/usr/lib/libreoffice-foo" and "/opt/usr/lib/libreoffice" stay); null when nothing matched or the bytes
    /// are not text (a NUL byte).
    /// </summary>
    public static byte[]? Rewrite(byte[] text, IReadOnlyList<(string From, string To)> rewrites)
    {
        if (Array.IndexOf(text, (byte)0) >= 0)
        {
            return null;
        }

        var patterns = rewrites.Select(r => (From: Encoding.UTF8.GetBytes(r.From), To: Encoding.UTF8.GetBytes(r.To))).ToArray();
        var output = new MemoryStream();
        bool changed = false;
        int copied = 0;
        for (int i = 0; i < text.Length; i++)
        {
            if (text[i] != '/' || (i > 0 && IsNameByte(text[i - 1])))
            {
                continue;
            }

            foreach (var (pattern, replacement) in patterns)
            {
                int end = i + pattern.Length;
                if (end <= text.Length && text.AsSpan(i, pattern.Length).SequenceEqual(pattern) && (end == text.Length || !IsNameByte(text[end])))
                {
                    output.Write(text, copied, i - copied);
                    output.Write(replacement);
                    copied = end;
                    i = end - 1;
                    changed = true;
                    break;
                }
            }
        }

        if (!changed)
        {
            return null;
        }

        output.Write(text, copied, text.Length - copied);
        return output.ToArray();
    }

    private static bool IsNameByte(byte b) => char.IsAsciiLetterOrDigit((char)b) || b is (byte)'.' or (byte)'_' or (byte)'-' or (byte)'+';

    private static bool IsSplit(string tree, ClosureView view) =>
        view.Members.Count(m => m.Nodes.TryGetValue(tree, out var node) && node is SourceDirectory) > 1;

    /// <summary>One member's entry at a path: a directory, a node of its tree, or a link the import adds (an alternative, a ucf file).</summary>
    private readonly record struct Entry(ClosureMember Member, bool IsDirectory, SourceNode? Node, string? LinkTarget);

    private sealed class Builder
    {
        private readonly ClosureMember _member;
        private readonly Plan _plan;
        private readonly SortedSet<string> _programs;
        private readonly SortedSet<string> _roots;
        private readonly HashSet<ClosureMember> _closure;
        private readonly Dictionary<string, List<Entry>> _entries = new(StringComparer.Ordinal);

        public Builder(ClosureMember member, Plan plan, SortedSet<string> programs, SortedSet<string> roots, IReadOnlyList<ClosureMember> order,
            HashSet<ClosureMember> closure, Func<ClosureMember, IReadOnlyDictionary<string, string>> addedLinks)
        {
            (_member, _plan, _programs, _roots, _closure) = (member, plan, programs, roots, closure);
            foreach (var candidate in order)
            {
                foreach (var (path, node) in candidate.Nodes)
                {
                    if (InRoots(path))
                    {
                        Add(path, new Entry(candidate, node is SourceDirectory, node, null));
                    }
                }

                foreach (var (path, target) in addedLinks(candidate))
                {
                    if (!InRoots(path))
                    {
                        continue;
                    }

                    Add(path, new Entry(candidate, false, null, target));
                    for (string parent = ClosureView.Directory(path); InRoots(parent); parent = ClosureView.Directory(parent))
                    {
                        if (!_entries.TryGetValue(parent, out var list) || !list.Any(e => e.Member == candidate))
                        {
                            Add(parent, new Entry(candidate, true, null, null));
                        }
                    }
                }
            }
        }

        /// <summary>Fills the merged tree at <paramref name="path"/>: one link when one member provides it all, else its merged entries.</summary>
        public void Emit(string path)
        {
            if (!_entries.TryGetValue(path, out var owners))
            {
                return;
            }

            // The member's own directories are made again and its files are the same nodes (hard links), so a
            // program that copies or walks its tree with lstat (libreoffice copies presets/ into the user's
            // profile, and copies a symlink as a symlink) meets directories and files, as in dpkg's tree. Another
            // member's directory that it provides alone is one link.
            var directories = owners.Where(o => o.IsDirectory).ToList();
            if (!owners[0].IsDirectory || (owners[0].Member != _member && directories.Count == 1 && directories[0].Node is not null
                && !_programs.Any(p => p.StartsWith(path + "/", StringComparison.Ordinal))))
            {
                EmitEntry(path, owners[0]);
                return;
            }

            string prefix = path + "/";
            var names = new SortedSet<string>(StringComparer.Ordinal);
            foreach (string key in _entries.Keys)
            {
                if (key.StartsWith(prefix, StringComparison.Ordinal) && key.IndexOf('/', prefix.Length) < 0)
                {
                    names.Add(key[prefix.Length..]);
                }
            }

            if (names.Count == 0 && owners[0].Node is not null)
            {
                if (owners[0].Member == _member)
                {
                    _plan.Same[Merged(path)] = path;
                }
                else
                {
                    EmitEntry(path, owners[0]);
                }

                return;
            }

            foreach (string name in names)
            {
                string child = prefix + name;
                if (_programs.Contains(child))
                {
                    _plan.Moved[child] = Merged(child);
                }
                else
                {
                    Emit(child);
                }
            }
        }

        private void EmitEntry(string path, Entry owner)
        {
            string? target = owner.LinkTarget ?? (owner.Node is SourceSymlink link ? Encoding.UTF8.GetString(link.Target) : null);
            if (target is not null && InsideRoots(path, target) is { } inside)
            {
                // A link inside the trees is followed in the merged tree, as in dpkg's (share/registry -> /etc/libreoffice/registry).
                _plan.Links[Merged(path)] = ClosureAnalysis.Relative(Merged(path), Merged(inside));
                return;
            }

            if (owner.Member == _member)
            {
                if (owner.Node is SourceFile)
                {
                    _plan.Same[Merged(path)] = path;
                }
                else
                {
                    _plan.Links[Merged(path)] = ClosureAnalysis.Relative(Merged(path), path);
                }

                return;
            }

            _plan.Links[Merged(path)] = _closure.Contains(owner.Member) || !ExchangeDirectories.Contains(path[..path.IndexOf('/')]) ? WrapperRules.Ro(owner.Member, path)
                : WrapperRules.Exchange(path);
        }

        private void Add(string path, Entry entry)
        {
            if (!_entries.TryGetValue(path, out var list))
            {
                _entries[path] = list = [];
            }

            list.Add(entry);
        }

        private bool InRoots(string path) => _roots.Any(r => path == r || path.StartsWith(r + "/", StringComparison.Ordinal));

        private string? InsideRoots(string path, string target)
        {
            string? pointed = target.StartsWith('/') ? ClosureView.MapAbsolute(target) : ClosureView.Lexical(ClosureView.Directory(path), target);
            return pointed is not null && InRoots(pointed) ? pointed : null;
        }

        private static string Merged(string path) => $"{Directory}/{path}";
    }
}
