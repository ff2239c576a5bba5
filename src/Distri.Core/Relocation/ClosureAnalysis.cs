using System.Text;
using Distri.Core.FileTree;

namespace Distri.Core.Relocation;

/// <summary>
/// What relocation will change in each member of a closure, and what no member provides. Computed once over the
/// merged view (<see cref="ClosureView"/>); <see cref="ClosureRelocator"/> reports the unmet requirements or applies
/// the rest.
/// </summary>
internal sealed class ClosureAnalysis
{
    /// <summary>Directories the loader searches by default, in the merged layout; a soname found here is a library of the closure.</summary>
    private static readonly string[] LibraryDirectories = ["lib/x86_64-linux-gnu", "lib/aarch64-linux-gnu", "lib", "lib64"];

    /// <summary>Where each package's library farm lives: hidden, so it never merges into the /ro/lib exchange directory.</summary>
    public const string FarmDirectory = ".distrid/lib";

    /// <summary>Where wrapped programs keep their real file, under the same relative path (so the same base name).</summary>
    public const string RealDirectory = ".distrid/real";

    private readonly ClosureView _view;
    private readonly Action<string> _warn;
    private readonly HashSet<(string, string, string)> _unmet = [];

    public ClosureAnalysis(IReadOnlyList<ClosureMember> members, Action<string> warn)
    {
        _view = new ClosureView(members);
        _warn = warn;
        foreach (var member in members)
        {
            Plans[member] = new MemberPlan(member);
        }

        foreach (var member in members)
        {
            ResolveScripts(member);
        }

        foreach (var member in members)
        {
            FindWrapped(member);
        }

        PlanAlternatives(members);
        PlanConfigurationFiles(members);
        foreach (var member in members)
        {
            PlanElves(member);
            PlanScripts(member);
            PlanSymlinks(member);
            Plans[member].HostRequirements.AddRange(MaintainerScriptFacts.HostRequirements(member.MaintainerScripts));
            ReportCaches(member);
        }

        RequireShell(members);
        foreach (var member in members)
        {
            FindPluginUsers(member);
        }

        foreach (var member in members)
        {
            PlanWrappers(member);
        }

        // Last: the merged trees link to what the other plans decided (wrappers, each member's final dependencies).
        foreach (var member in members)
        {
            Plans[member].Merged = MergedTrees.For(member, Programs(member), _view, RuntimeClosure(member), m => Plans[m].AddedLinks);
        }
    }

    public Dictionary<ClosureMember, MemberPlan> Plans { get; } = new(ReferenceEqualityComparer.Instance);

    public IReadOnlyList<UnmetRequirement> Unmet =>
        [.. _unmet.Order().Select(u => new UnmetRequirement(u.Item1, u.Item2, u.Item3))];

    /// <summary>Everything relocation changes in one member.</summary>
    internal sealed class MemberPlan(ClosureMember member)
    {
        public ClosureMember Member { get; } = member;

        public HashSet<string> ExtraDependencies { get; } = new(StringComparer.Ordinal);

        public Dictionary<SourceNode, (string? Interpreter, string? RunPath)> ElfEdits { get; } = new(ReferenceEqualityComparer.Instance);

        public Dictionary<SourceNode, string> ShebangEdits { get; } = new(ReferenceEqualityComparer.Instance);

        /// <summary>Interpreter resolution of each script: the real interpreter (member, path) and the shebang argument.</summary>
        public Dictionary<SourceNode, (ClosureMember Member, string Path, string Argument)> Interpreters { get; } = new(ReferenceEqualityComparer.Instance);

        public SortedDictionary<string, string> Farm { get; } = new(StringComparer.Ordinal);

        public SortedDictionary<string, string> SymlinkEdits { get; } = new(StringComparer.Ordinal);

        public SortedDictionary<string, string> AddedLinks { get; } = new(StringComparer.Ordinal);

        /// <summary>Programs that get a wrapper, by path, with the kind and interpreter name that decide their environment.</summary>
        public SortedDictionary<string, (WrapperRules.Kind Kind, string InterpreterName)> Wrapped { get; } = new(StringComparer.Ordinal);

        /// <summary>Symlinks in the member to a wrapped program under another base name: alias path → wrapped path.</summary>
        public SortedDictionary<string, string> Aliases { get; } = new(StringComparer.Ordinal);

        public SortedDictionary<string, WrapperRules.Environment> Wrappers { get; } = new(StringComparer.Ordinal);

        public string? Shell { get; set; }

        /// <summary>The program trees this member shares with others, merged under <see cref="MergedTrees.Directory"/>.</summary>
        public MergedTrees.Plan Merged { get; set; } = new();

        public List<string> HostRequirements { get; } = [];

        public IEnumerable<string> Dependencies =>
            Member.Package.Dependencies.Concat(ExtraDependencies).Where(d => d != Member.FullName).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal);
    }

    public bool IsWrapped(ClosureMember member, string path) => Plans[member].Wrapped.ContainsKey(path);

    /// <summary>/ro path of a real file; a wrapped program's real file is under <see cref="RealDirectory"/>.</summary>
    public string RealRoPath(ClosureMember member, string path) =>
        IsWrapped(member, path) ? WrapperRules.Ro(member, $"{RealDirectory}/{path}") : WrapperRules.Ro(member, path);

    private void Require(ClosureMember by, string kind, string what) => _unmet.Add((by.FullName, kind, what));

    private void Use(ClosureMember by, ClosureMember provider)
    {
        if (provider != by)
        {
            Plans[by].ExtraDependencies.Add(provider.FullName);
        }
    }

    private static IEnumerable<(string Path, SourceNode Node)> FirstPaths<T>(ClosureMember member, Dictionary<SourceNode, T> nodes)
    {
        var seen = new HashSet<SourceNode>(ReferenceEqualityComparer.Instance);
        foreach (var (path, node) in member.Nodes.OrderBy(n => n.Key, StringComparer.Ordinal))
        {
            if (nodes.ContainsKey(node) && seen.Add(node))
            {
                yield return (path, node);
            }
        }
    }

    private void ResolveScripts(ClosureMember member)
    {
        var plan = Plans[member];
        foreach (var (path, node) in FirstPaths(member, member.Shebangs))
        {
            string line = member.Shebangs[node];
            int space = line.IndexOfAny([' ', '\t']);
            string interpreter = space < 0 ? line : line[..space];
            string argument = space < 0 ? "" : line[(space + 1)..].Trim();
            string? lookFor = ClosureView.MapAbsolute(interpreter);
            string reported = interpreter;
            if (interpreter is "/usr/bin/env" or "/bin/env")
            {
                // "#!/usr/bin/env NAME [ARG]": NAME from bin/ or sbin/ of the closure instead of the caller's PATH.
                string[] words = argument.Split([' ', '\t'], 2, StringSplitOptions.RemoveEmptyEntries);
                if (words.Length == 0 || words[0].StartsWith('-') || words[0].Contains('='))
                {
                    Require(member, "path", $"{interpreter} {argument}".Trim());
                    continue;
                }

                reported = "/usr/bin/" + words[0];
                lookFor = _view.Resolve(member, "bin/" + words[0]) is not null ? "bin/" + words[0] : "sbin/" + words[0];
                argument = words.Length > 1 ? words[1] : "";
            }

            if (interpreter.StartsWith("/usr/local/", StringComparison.Ordinal))
            {
                // No Debian package ships /usr/local (policy 9.1.2): such a line is on a module that happens to be
                // executable (python's cgi.py), not on a program of the package, so it is left as it is.
                _warn($"{member.FullName}: {path} starts with #!{interpreter}, which no package provides; kept as it is");
                continue;
            }

            if (!interpreter.StartsWith('/') || lookFor is null || _view.Resolve(member, lookFor) is not { } found || found.Node is not SourceFile)
            {
                Require(member, "path", reported);
                continue;
            }

            plan.Interpreters[node] = (found.Member, found.Path, argument);
            Use(member, found.Member);
        }
    }

    private void FindWrapped(ClosureMember member)
    {
        var plan = Plans[member];
        foreach (var (path, node) in member.Nodes.OrderBy(n => n.Key, StringComparer.Ordinal))
        {
            if (node is not SourceFile || !ClosureMember.IsExecutable(node) || ClosureMember.IsDocumentation(path))
            {
                continue;
            }

            string baseName = path[(path.LastIndexOf('/') + 1)..];
            if (member.Elves.TryGetValue(node, out var elf) && elf.Interpreter is not null)
            {
                var kind = WrapperRules.InterpreterKind(baseName);
                if (kind != WrapperRules.Kind.None || WrapperRules.IsToolWithDataPaths(path))
                {
                    plan.Wrapped[path] = (kind, baseName);
                }
            }
            else if (plan.Interpreters.TryGetValue(node, out var interpreter) && !WrapperRules.IsModule(path))
            {
                string name = interpreter.Path[(interpreter.Path.LastIndexOf('/') + 1)..];
                var kind = WrapperRules.InterpreterKind(name);
                if (kind != WrapperRules.Kind.None || WrapperRules.IsToolWithDataPaths(path))
                {
                    plan.Wrapped[path] = (kind, name);
                }
            }
        }

        // A symlink with another base name (bin/kvm -> qemu-system-x86_64) gets its own wrapper, so the program
        // still sees the name it was called by.
        foreach (var (path, node) in member.Nodes.OrderBy(n => n.Key, StringComparer.Ordinal))
        {
            if (node is SourceSymlink && !ClosureMember.IsDocumentation(path) && _view.Resolve(member, path) is { } target
                && target.Member == member && plan.Wrapped.ContainsKey(target.Path)
                && BaseName(target.Path) != BaseName(path) && !plan.Wrapped.ContainsKey(path))
            {
                plan.Aliases[path] = target.Path;
            }
        }
    }

    private void PlanElves(ClosureMember member)
    {
        var plan = Plans[member];
        foreach (var (path, node) in FirstPaths(member, member.Elves))
        {
            var elf = member.Elves[node];
            string? interpreter = null;
            if (elf.Interpreter is { } wanted)
            {
                if (ClosureView.MapAbsolute(wanted) is { } mapped && _view.Resolve(member, mapped) is { Node: SourceFile } loader)
                {
                    interpreter = WrapperRules.Ro(loader.Member, loader.Path);
                    Use(member, loader.Member);
                }
                else
                {
                    Require(member, "path", wanted);
                }
            }

            string? runPath = null;
            if (elf.Needed.Count > 0)
            {
                var kept = new List<string>();
                var origins = new List<string>();
                foreach (string entry in (elf.RunPath ?? elf.RPath ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries))
                {
                    if (entry.Contains("$ORIGIN", StringComparison.Ordinal) || entry.Contains("${ORIGIN}", StringComparison.Ordinal))
                    {
                        kept.Add(entry);
                        origins.Add(entry.Replace("${ORIGIN}", "$ORIGIN", StringComparison.Ordinal)
                            .Replace("$ORIGIN", "/" + ClosureView.Directory(path), StringComparison.Ordinal));
                    }
                    else if (entry.StartsWith('/') && ClosureView.MapAbsolute(entry) is { } mapped
                        && _view.Resolve(member, mapped) is { Node: SourceDirectory } directory)
                    {
                        // A compiled-in private directory (/usr/lib/x86_64-linux-gnu/foo) now lives under /ro.
                        kept.Add(WrapperRules.Ro(directory.Member, directory.Path));
                        origins.Add("/" + directory.Path);
                        Use(member, directory.Member);
                    }
                }

                bool farmUsed = false;
                foreach (string soname in elf.Needed)
                {
                    if (soname.Contains('/'))
                    {
                        continue;
                    }

                    // $ORIGIN is this package's own directory at run time, not the merged directory dpkg would have
                    // made: a library that only another package puts there (libreoffice-core's oosplash and
                    // libuno-sal3's libuno_sal.so.3, both in lib/libreoffice/program) goes into the farm.
                    var besideIt = origins.Select(o => ClosureView.MapAbsolute(o + "/" + soname) is { } p ? _view.Resolve(member, p) : null)
                        .FirstOrDefault(r => r is not null);
                    if (besideIt is { } beside && beside.Member == member)
                    {
                        continue;
                    }

                    var provider = besideIt is { Node: SourceFile } ? besideIt
                        : LibraryDirectories.Select(d => _view.Resolve(member, d + "/" + soname)).FirstOrDefault(r => r is { Node: SourceFile })
                        ?? AlternativeLibrary(member, soname);
                    if (provider is not { } library)
                    {
                        Require(member, "soname", soname);
                        continue;
                    }

                    plan.Farm.TryAdd(soname, WrapperRules.Ro(library.Member, library.Path));
                    Use(member, library.Member);
                    farmUsed = true;
                }

                if (farmUsed)
                {
                    kept.Add(WrapperRules.Ro(member, FarmDirectory));
                }

                string joined = string.Join(':', kept);
                if (joined != (elf.RunPath ?? elf.RPath ?? "") || elf.RPath is not null)
                {
                    runPath = joined;
                }
            }

            if (interpreter is not null || runPath is not null)
            {
                plan.ElfEdits[node] = (interpreter, runPath);
            }
        }
    }

    private void PlanScripts(ClosureMember member)
    {
        var plan = Plans[member];
        foreach (var (node, (provider, path, argument)) in plan.Interpreters)
        {
            string line = RealRoPath(provider, path) + (argument.Length > 0 ? " " + argument : "");
            plan.ShebangEdits[node] = line;
        }
    }

    private void PlanSymlinks(ClosureMember member)
    {
        var plan = Plans[member];
        foreach (var (path, node) in member.Nodes.OrderBy(n => n.Key, StringComparer.Ordinal))
        {
            if (node is not SourceSymlink link)
            {
                continue;
            }

            string target = Encoding.UTF8.GetString(link.Target);
            string? pointed = target.StartsWith('/') ? ClosureView.MapAbsolute(target) : ClosureView.Lexical(ClosureView.Directory(path), target);
            if (pointed is null || member.Nodes.ContainsKey(pointed))
            {
                continue;
            }

            if (plan.AddedLinks.ContainsKey(pointed))
            {
                // A link to an alternative this member itself now provides (etc/rmt -> /usr/sbin/rmt).
                plan.SymlinkEdits[path] = Relative(path, pointed);
                continue;
            }

            if (_view.Resolve(member, pointed) is not { } found)
            {
                if (!ClosureMember.IsDocumentation(path))
                {
                    _warn($"{member.FullName}: {path} -> {target} points at nothing in the closure; kept as it is");
                }

                continue;
            }

            if (found.Member == member)
            {
                continue;
            }

            plan.SymlinkEdits[path] = RealOrWrapperPath(found.Member, found.Path);
            Use(member, found.Member);
        }
    }

    // A link to another package's program points at the program as users call it (its wrapper, if any).
    private static string RealOrWrapperPath(ClosureMember member, string path) => WrapperRules.Ro(member, path);

    private void PlanAlternatives(IReadOnlyList<ClosureMember> members)
    {
        var candidates = new List<(ClosureMember Member, MaintainerScriptFacts.Alternative Alternative)>();
        foreach (var member in members)
        {
            foreach (var alternative in MaintainerScriptFacts.Alternatives(member.MaintainerScripts,
                call => _warn($"{member.FullName}: '{call}' is not literal; that alternative is not made")))
            {
                candidates.Add((member, alternative));
            }
        }

        foreach (var group in candidates.GroupBy(c => c.Alternative.Link, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var (owner, best) = group.OrderByDescending(c => c.Alternative.Priority).ThenBy(c => c.Member.FullName, StringComparer.Ordinal).First();
            string? link = ClosureView.MapAbsolute(best.Link);
            string? target = ClosureView.MapAbsolute(best.Target);
            if (link is null || target is null || _view.Lookup(owner, link) is not null)
            {
                continue;
            }

            if (_view.Resolve(owner, target) is not { } found)
            {
                continue;
            }

            Plans[owner].AddedLinks[link] = found.Member == owner ? Relative(link, found.Path) : WrapperRules.Ro(found.Member, found.Path);
            Use(owner, found.Member);
        }
    }

    /// <summary>
    /// What a postinst's <c>ucf SOURCE DESTINATION</c> would have put in /etc (libreoffice-common's
    /// etc/libreoffice/registry/main.xcd from lib/libreoffice/share/.registry/main.xcd) becomes a link in the declaring
    /// package, unless the closure already has that path.
    /// </summary>
    private void PlanConfigurationFiles(IReadOnlyList<ClosureMember> members)
    {
        foreach (var member in members)
        {
            foreach (var file in MaintainerScriptFacts.ConfigurationFiles(member.MaintainerScripts))
            {
                string? link = ClosureView.MapAbsolute(file.Destination);
                string? source = ClosureView.MapAbsolute(file.Source);
                var plan = Plans[member];
                if (link is null || source is null || plan.AddedLinks.ContainsKey(link) || _view.Lookup(member, link) is not null
                    || _view.Resolve(member, source) is not { Node: SourceFile } found)
                {
                    continue;
                }

                plan.AddedLinks[link] = found.Member == member ? Relative(link, found.Path) : WrapperRules.Ro(found.Member, found.Path);
                Use(member, found.Member);
            }
        }
    }

    /// <summary>The files of a member that are run: ELF programs and scripts, not modules or documentation.</summary>
    private IEnumerable<string> Programs(ClosureMember member)
    {
        var plan = Plans[member];
        foreach (var (path, node) in member.Nodes.OrderBy(n => n.Key, StringComparer.Ordinal))
        {
            if (node is SourceFile && ClosureMember.IsExecutable(node) && !ClosureMember.IsDocumentation(path) && !WrapperRules.IsModule(path)
                && !plan.Aliases.ContainsKey(path)
                && ((member.Elves.TryGetValue(node, out var elf) && elf.Interpreter is not null) || member.Shebangs.ContainsKey(node)))
            {
                yield return path;
            }
        }
    }

    private void RequireShell(IReadOnlyList<ClosureMember> members)
    {
        if (members.Count == 0)
        {
            return;
        }

        // glibc's system() and popen(), and many programs, run /bin/sh, which Debian gets from an Essential package nobody declares.
        var first = members[0];
        if (_view.Resolve(first, "bin/sh") is not { Node: SourceFile })
        {
            var libc = members.FirstOrDefault(m => LibraryDirectories.Any(d => m.Nodes.ContainsKey(d + "/libc.so.6"))) ?? first;
            Require(libc, "path", "/bin/sh");
        }
    }

    private void PlanWrappers(ClosureMember member)
    {
        var plan = Plans[member];
        if (plan.Wrapped.Count == 0)
        {
            return;
        }

        if (_view.Resolve(member, "bin/sh") is not { Node: SourceFile } shell)
        {
            _warn($"{member.FullName}: no /bin/sh in the closure, so {string.Join(", ", plan.Wrapped.Keys)} get no wrapper");
            plan.Wrapped.Clear();
            plan.Aliases.Clear();
            return;
        }

        plan.Shell = WrapperRules.Ro(shell.Member, shell.Path);
        Use(member, shell.Member);
        var closure = RuntimeClosure(member);
        foreach (var (path, (kind, interpreterName)) in plan.Wrapped)
        {
            plan.Wrappers[path] = WrapperRules.For(path, kind, interpreterName, closure);
        }

        foreach (var (alias, wrapped) in plan.Aliases)
        {
            plan.Wrappers[alias] = plan.Wrappers[wrapped];
        }
    }

    /// <summary>
    /// Programs whose runtime closure holds a library that reads a compiled-in /usr or /etc path are wrapped too, so
    /// that it reads the closure's files, not the host's: cyrus sasl's plugins (lib/&lt;triplet&gt;/sasl2; programs in
    /// bin/ and sbin/) and fontconfig's configuration (etc/fonts; every program, wherever it lies: firefox-esr's and
    /// libreoffice's are in lib/).
    /// </summary>
    private void FindPluginUsers(ClosureMember member)
    {
        var plan = Plans[member];
        var closure = RuntimeClosure(member);
        bool sasl = closure.Any(WrapperRules.HasPluginDirectory);
        bool fonts = closure.Any(WrapperRules.HasFontconfigConfiguration);
        if (!sasl && !fonts)
        {
            return;
        }

        foreach (var (path, node) in member.Nodes.OrderBy(n => n.Key, StringComparer.Ordinal))
        {
            bool inBin = path.StartsWith("bin/", StringComparison.Ordinal) || path.StartsWith("sbin/", StringComparison.Ordinal);
            if (node is SourceFile && ClosureMember.IsExecutable(node) && (inBin ? sasl || fonts : fonts && IsProgramOutsideBin(path))
                && member.Elves.TryGetValue(node, out var elf) && elf.Interpreter is not null && !plan.Wrapped.ContainsKey(path))
            {
                plan.Wrapped[path] = (WrapperRules.Kind.None, "");
            }
        }
    }

    // Shared libraries can be executable and have an interpreter too (libc.so.6); modules and documentation are not run.
    private static bool IsProgramOutsideBin(string path) =>
        !ClosureMember.IsDocumentation(path) && !WrapperRules.IsModule(path) && !BaseName(path).Contains(".so", StringComparison.Ordinal);


    /// <summary>The member and everything it depends on, declared or found, transitively.</summary>
    public IReadOnlyList<ClosureMember> RuntimeClosure(ClosureMember member)
    {
        var result = new List<ClosureMember>();
        var seen = new HashSet<ClosureMember>(ReferenceEqualityComparer.Instance) { member };
        var queue = new Queue<ClosureMember>([member]);
        while (queue.Count > 0)
        {
            var next = queue.Dequeue();
            result.Add(next);
            foreach (string dependency in Plans[next].Dependencies)
            {
                if (_view.ByName(dependency) is { } found && seen.Add(found))
                {
                    queue.Enqueue(found);
                }
            }
        }

        return result;
    }

    private void ReportCaches(ClosureMember member)
    {
        bool schemas = member.Nodes.Keys.Any(p => p.StartsWith("share/glib-2.0/schemas/", StringComparison.Ordinal) && p.EndsWith(".xml", StringComparison.Ordinal));
        bool modules = member.Nodes.Keys.Any(p => (p.Contains("/gio/modules/", StringComparison.Ordinal) || p.Contains("/gdk-pixbuf-2.0/", StringComparison.Ordinal) && p.Contains("/loaders/", StringComparison.Ordinal))
            && p.EndsWith(".so", StringComparison.Ordinal));
        if (schemas || modules)
        {
            _warn($"{member.FullName}: has glib schemas, gio modules or gdk-pixbuf loaders; their caches are not generated at import yet");
        }
    }

    /// <summary>The relative symlink target from the directory of <paramref name="link"/> to <paramref name="target"/>.</summary>
    public static string Relative(string link, string target)
    {
        string[] from = ClosureView.Split(ClosureView.Directory(link)).ToArray();
        string[] to = ClosureView.Split(target).ToArray();
        int common = 0;
        while (common < from.Length && common < to.Length - 1 && from[common] == to[common])
        {
            common++;
        }

        return string.Join('/', Enumerable.Repeat("..", from.Length - common).Concat(to[common..]));
    }

    private static string BaseName(string path) => path[(path.LastIndexOf('/') + 1)..];

    /// <summary>
    /// A library Debian ships in a subdirectory of a library directory and names in the standard place only through
    /// /etc/alternatives, which a closure does not have (libblas3: lib/x86_64-linux-gnu/blas/libblas.so.3): the first
    /// such file in the asking member's preference order.
    /// </summary>
    private (ClosureMember Member, string Path, SourceNode Node)? AlternativeLibrary(ClosureMember member, string soname)
    {
        foreach (var candidate in _view.Preference(member))
        {
            foreach (string path in candidate.Nodes.Keys)
            {
                if (path.EndsWith("/" + soname, StringComparison.Ordinal) && LibraryDirectories.Any(d => IsOneLevelBelow(path, d, soname))
                    && _view.Resolve(candidate, path) is { Node: SourceFile } library)
                {
                    return library;
                }
            }
        }

        return null;
    }

    private static bool IsOneLevelBelow(string path, string directory, string name) =>
        path.Length > directory.Length + name.Length + 2 && path.StartsWith(directory + "/", StringComparison.Ordinal)
        && path.IndexOf('/', directory.Length + 1) == path.Length - name.Length - 1;
}
