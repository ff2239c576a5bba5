using System.Text;
using Distri.Core.Debian;
using Distri.Core.FileTree;
using Distri.Core.Packages;
using Distri.Core.SquashFs.Writing;

namespace Distri.Core.Relocation;

/// <summary>One .deb of a closure, with the full name it gets and the full names (inside the closure) of its direct runtime dependencies.</summary>
public sealed record ClosurePackage(string DebPath, PackageName Name, IReadOnlyList<string> Dependencies);

/// <summary>What the closure's files need that no member provides: a soname (DT_NEEDED) or an absolute path (ELF interpreter, shebang interpreter, /bin/sh), and which member needs it.</summary>
public sealed record UnmetRequirement(string NeededBy, string Kind, string What)
{
    public override string ToString() => $"{NeededBy} needs {Kind} {What}, which no package of the closure provides";
}

/// <summary>
/// Relocates a closure of Debian packages so that it runs from /ro alone (docs/ARCHITECTURE.md, "Relocation"):
/// ELF interpreters and RUNPATHs point into /ro, shebangs and cross-package symlinks name their provider's
/// /ro/&lt;fullname&gt;/ path, programs that need an environment get a wrapper, alternatives become links, and what
/// maintainer scripts would have done to the host is recorded in the metadata.
/// </summary>
public static class ClosureRelocator
{
    private const string WrapperComment = "# Written by Distrid at import: sets what this program needs from /ro, then runs it.";

    /// <summary>Directories every package of a kind installs into and programs scan whole: Debian path → exchange directory.</summary>
    private static readonly (string From, string To)[] SharedDirectories = [("/usr/share/fonts", WrapperRules.Exchange("share/fonts"))];

    /// <summary>Reads the members' files (ELF DT_NEEDED/PT_INTERP, shebangs) and returns what no member provides. /bin/sh is always required.</summary>
    public static IReadOnlyList<UnmetRequirement> Scan(IReadOnlyList<ClosurePackage> closure, Action<string> warn)
    {
        ArgumentNullException.ThrowIfNull(closure);
        ArgumentNullException.ThrowIfNull(warn);
        string spool = CreateSpool();
        try
        {
            var (members, _, error) = ReadMembers(closure, spool, warn);
            if (members is null)
            {
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(error!);
            }

            return new ClosureAnalysis(members, _ => { }).Unmet;
        }
        finally
        {
            Directory.Delete(spool, recursive: true);
        }
    }

    /// <summary>
    /// Relocates and writes one image (+ .meta.json) per member into <paramref name="outputDirectory"/>; deterministic
    /// (same inputs, same bytes). What no member provides is reported through <paramref name="warn"/> and left as it
    /// was (call <see cref="Scan"/> first to refuse such a closure). A member that cannot be read fails the whole
    /// closure, because the others were relocated against it.
    /// </summary>
    public static IReadOnlyList<DebImportResult> Build(IReadOnlyList<ClosurePackage> closure, string outputDirectory, SquashFsWriterOptions image, Action<string> warn) =>
        Build(closure, outputDirectory, image, warn, refuseIncomplete: false, out _);

    /// <summary>
    /// As <see cref="Build(IReadOnlyList{ClosurePackage}, string, SquashFsWriterOptions, Action{string})"/>, reading the
    /// .debs once: with <paramref name="refuseIncomplete"/>, a closure with unmet requirements writes nothing and
    /// returns no results, and <paramref name="unmet"/> says what is missing.
    /// </summary>
    public static IReadOnlyList<DebImportResult> Build(
        IReadOnlyList<ClosurePackage> closure, string outputDirectory, SquashFsWriterOptions image, Action<string> warn,
        bool refuseIncomplete, out IReadOnlyList<UnmetRequirement> unmet)
    {
        unmet = [];
        ArgumentNullException.ThrowIfNull(closure);
        ArgumentNullException.ThrowIfNull(warn);
        string spool = CreateSpool();
        try
        {
            var (members, unreadable, error) = ReadMembers(closure, spool, warn);
            if (members is null)
            {
                return [.. closure.Select(p => new DebImportResult(p.DebPath, null,
                    p == unreadable ? error!.Message : $"not imported: {unreadable!.DebPath} of the same closure is unreadable"))];
            }

            var analysis = new ClosureAnalysis(members, warn);
            unmet = analysis.Unmet;
            if (refuseIncomplete && unmet.Count > 0)
            {
                return [];
            }

            foreach (var requirement in unmet)
            {
                warn(requirement.ToString());
            }

            // Members are independent once planned: each writes its own image from its own spool, so they are built
            // side by side (patchelf runs and file reads overlap the writer's compression), in closure order in the results.
            var bytecode = PythonBytecode.Find(members, warn, out string? pythonVersion, out string? compiler);
            var results = new DebImportResult[members.Count];
            Parallel.For(0, members.Count, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, i =>
            {
                results[i] = BuildMember(analysis.Plans[members[i]], spool, outputDirectory, image, bytecode, warn);
                if (pythonVersion is not null && PythonBytecode.Modules(members[i], pythonVersion).Any())
                {
                    results[i] = results[i] with { Bytecode = compiler };
                }
            });
            return results;
        }
        finally
        {
            Directory.Delete(spool, recursive: true);
        }
    }

    /// <summary>
    /// Reads every member's .deb, several at once (each into its own spool directory), in closure order. The first
    /// unreadable .deb (in closure order) makes the result null and is returned with its error.
    /// </summary>
    private static (List<ClosureMember>? Members, ClosurePackage? Unreadable, Exception? Error) ReadMembers(
        IReadOnlyList<ClosurePackage> closure, string spool, Action<string> warn)
    {
        var members = new ClosureMember?[closure.Count];
        var errors = new Exception?[closure.Count];
        Parallel.For(0, closure.Count, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, i =>
        {
            try
            {
                members[i] = ClosureMember.Read(closure[i], spool, warn);
            }
            catch (Exception e) when (IsInputError(e))
            {
                errors[i] = e;
            }
        });
        int failed = Array.FindIndex(errors, e => e is not null);
        return failed >= 0 ? (null, closure[failed], errors[failed]) : ([.. members.Select(m => m!)], null, null);
    }

    private static DebImportResult BuildMember(ClosureAnalysis.MemberPlan plan, string spool, string outputDirectory, SquashFsWriterOptions image,
        PythonBytecode? bytecode, Action<string> warn)
    {
        var member = plan.Member;
        try
        {
            var editor = new TreeEditor(member.Root, member.Root.ModificationTime);
            PatchElves(plan, editor, spool, warn);
            EditShebangs(plan, editor);
            RewriteTreePaths(plan, editor);
            RewriteSharedDirectories(plan, editor);
            AddWrappers(plan, editor);
            foreach (var (path, target) in plan.SymlinkEdits)
            {
                var old = member.Nodes[path];
                var link = new SourceSymlink(target);
                TreeEditor.CopyAttributes(old, link);
                editor.ReplacePath(path, link);
            }

            foreach (var (path, target) in plan.AddedLinks)
            {
                editor.Add(path, editor.Symlink(target));
            }

            foreach (var (soname, target) in plan.Farm)
            {
                editor.Add($"{ClosureAnalysis.FarmDirectory}/{soname}", editor.Symlink(target));
            }

            // The program trees shared with other packages, merged; the programs run from there.
            foreach (var (path, merged) in plan.Merged.Moved)
            {
                editor.Add(merged, member.Nodes[path]);
                if (!plan.Wrappers.ContainsKey(path))
                {
                    editor.ReplacePath(path, editor.Symlink(ClosureAnalysis.Relative(path, merged)));
                }
            }

            foreach (var (path, target) in plan.Merged.Links)
            {
                editor.Add(path, editor.Symlink(target));
            }

            foreach (var (path, own) in plan.Merged.Same)
            {
                var node = member.Nodes[own];
                if (node is SourceDirectory)
                {
                    var empty = new SourceDirectory();
                    TreeEditor.CopyAttributes(node, empty);
                    node = empty;
                }

                editor.Add(path, node);
            }

            // What py3compile would have written in the postinst, into this package's own image.
            var compiled = bytecode is null ? [] : bytecode.Compile(member, editor.Map, spool);
            foreach (var (path, pyc) in compiled)
            {
                var file = SourceFile.FromBytes(pyc);
                file.ModificationTime = editor.ModificationTime;
                editor.Add(path, file);
            }

            var metadata = PackageBuilder.Build(editor.Build(warn), member.Package.Name, new PackageBuildOptions
            {
                Summary = member.Deb.Control.Summary,
                Dependencies = [.. plan.Dependencies],
                HostRequirements = plan.HostRequirements.Count == 0 ? null : [.. plan.HostRequirements.Distinct(StringComparer.Ordinal)],
                Image = image,
            }, outputDirectory);
            foreach (string requirement in metadata.HostRequirements ?? [])
            {
                warn($"{member.FullName}: its maintainer scripts would run '{requirement}' on the host; recorded in its metadata, not done");
            }

            return new DebImportResult(member.Package.DebPath, metadata, null);
        }
        catch (Exception e) when (IsInputError(e))
        {
            return new DebImportResult(member.Package.DebPath, null, e.Message);
        }
    }

    private static void PatchElves(ClosureAnalysis.MemberPlan plan, TreeEditor editor, string spool, Action<string> warn)
    {
        int index = 0;
        foreach (var (node, (interpreter, runPath)) in plan.ElfEdits.OrderBy(e => FirstPath(plan.Member, e.Key), StringComparer.Ordinal))
        {
            var file = (SourceFile)node;
            string path = Path.Combine(spool, $"{plan.Member.FullName}.{index++}.elf");
            using (var source = file.OpenContent())
            using (var target = new FileStream(path, FileMode.CreateNew, FileAccess.Write))
            {
                source.CopyTo(target);
            }

            if (PatchElf.Patch(path, interpreter, runPath) is { } error)
            {
                warn($"{plan.Member.FullName}: {FirstPath(plan.Member, node)}: {error}; kept as it was");
                continue;
            }

            var patched = SourceFile.FromPath(path, new FileInfo(path).Length);
            TreeEditor.CopyAttributes(file, patched);
            editor.ReplaceNode(file, patched);
        }
    }

    private static void EditShebangs(ClosureAnalysis.MemberPlan plan, TreeEditor editor)
    {
        foreach (var (node, line) in plan.ShebangEdits)
        {
            var file = (SourceFile)node;
            byte[] content;
            using (var stream = file.OpenContent())
            using (var memory = new MemoryStream())
            {
                stream.CopyTo(memory);
                content = memory.ToArray();
            }

            int end = Array.IndexOf(content, (byte)'\n');
            byte[] rewritten = [.. Encoding.UTF8.GetBytes("#!" + line), .. content.AsSpan(end)];
            var edited = SourceFile.FromBytes(rewritten);
            TreeEditor.CopyAttributes(file, edited);
            editor.ReplaceNode(file, edited);
        }
    }

    /// <summary>Text files in a member's merged program trees name the merged trees instead of their Debian paths.</summary>
    private static void RewriteTreePaths(ClosureAnalysis.MemberPlan plan, TreeEditor editor)
    {
        var merged = plan.Merged;
        if (merged.IsEmpty)
        {
            return;
        }

        var done = new HashSet<SourceNode>(ReferenceEqualityComparer.Instance);
        foreach (var (path, node) in plan.Member.Nodes.OrderBy(n => n.Key, StringComparer.Ordinal))
        {
            if (node is not SourceFile original || original.Length > MergedTrees.MaxTextBytes || plan.Member.Elves.ContainsKey(node)
                || !merged.Roots.Any(r => path.StartsWith(r + "/", StringComparison.Ordinal)) || !done.Add(node))
            {
                continue;
            }

            byte[] content = ReadAll((SourceFile)editor.Map(node));
            if (MergedTrees.Rewrite(content, merged.Rewrites) is { } rewritten)
            {
                Replace(editor, original, rewritten);
            }
        }
    }

    /// <summary>
    /// Configuration files (under etc/) that name a directory every package of a kind installs into, and that a
    /// program scans as a whole (/usr/share/fonts in fontconfig's fonts.conf), name the exchange directory instead:
    /// in a root that holds only /ro, that is where what is installed is, as /usr/share/fonts is after dpkg.
    /// </summary>
    private static void RewriteSharedDirectories(ClosureAnalysis.MemberPlan plan, TreeEditor editor)
    {
        foreach (var (path, node) in plan.Member.Nodes.OrderBy(n => n.Key, StringComparer.Ordinal))
        {
            if (node is not SourceFile original || !path.StartsWith("etc/", StringComparison.Ordinal) || original.Length > MergedTrees.MaxTextBytes
                || plan.Member.Elves.ContainsKey(node))
            {
                continue;
            }

            byte[] content = ReadAll((SourceFile)editor.Map(node));
            if (MergedTrees.Rewrite(content, SharedDirectories) is { } rewritten)
            {
                Replace(editor, original, rewritten);
            }
        }
    }

    private static void AddWrappers(ClosureAnalysis.MemberPlan plan, TreeEditor editor)
    {
        var member = plan.Member;
        var occupied = new HashSet<string>(StringComparer.Ordinal);
        // Paths under .distrid/real that hold a real file or lead to one: never a link to a sibling.
        var reserved = new HashSet<string>(StringComparer.Ordinal);
        foreach (string path in plan.Wrappers.Keys.Where(p => !plan.Aliases.ContainsKey(p) && !plan.Merged.Moved.ContainsKey(p)))
        {
            for (string at = path; at.Length > 0; at = ClosureView.Directory(at))
            {
                reserved.Add(at);
            }
        }

        foreach (var (path, environment) in plan.Wrappers)
        {
            // A program of a merged tree runs from there (its siblings are the merged ones); it was moved already.
            string real = plan.Merged.Moved.GetValueOrDefault(path) ?? $"{ClosureAnalysis.RealDirectory}/{path}";
            var original = member.Nodes[path];
            if (plan.Aliases.TryGetValue(path, out string? wrapped))
            {
                real = $"{ClosureAnalysis.RealDirectory}/{path}";
                editor.Add(real, editor.Symlink(WrapperRules.Ro(member, plan.Merged.Moved.GetValueOrDefault(wrapped) ?? $"{ClosureAnalysis.RealDirectory}/{wrapped}")));
            }
            else if (!plan.Merged.Moved.ContainsKey(path))
            {
                editor.Add(real, original);
                LinkSiblings(member, path, editor, reserved);
            }

            occupied.Add(path.Split('/')[0]);
            var wrapper = SourceFile.FromBytes(Encoding.UTF8.GetBytes(WrapperText(plan.Shell!, WrapperRules.Ro(member, real), environment)));
            TreeEditor.CopyAttributes(original, wrapper);
            wrapper.Permissions = 0x1ED; // 0755
            wrapper.Xattrs.Clear();
            editor.ReplacePath(path, wrapper);
        }

        // Programs that find their files relative to their own path (qemu's ../share/qemu, $ORIGIN/../lib) find
        // them from the hidden copy too.
        if (plan.Wrappers.Count > 0)
        {
            foreach (var entry in member.Root.Entries.Where(e => e.Node is SourceDirectory && !occupied.Contains(e.DisplayName) && !e.DisplayName.StartsWith('.')))
            {
                editor.Add($"{ClosureAnalysis.RealDirectory}/{entry.DisplayName}", editor.Symlink($"../../{entry.DisplayName}"));
            }
        }
    }

    /// <summary>
    /// The real file's directories under .distrid/real below the top level (whose other directories are linked whole)
    /// get links to the other entries of the package's directories on its path, so a program that finds files beside
    /// itself (firefox-esr's libxul.so and omni.ja in lib/firefox-esr) finds them from the hidden copy too.
    /// </summary>
    private static void LinkSiblings(ClosureMember member, string path, TreeEditor editor, HashSet<string> reserved)
    {
        string[] parts = path.Split('/');
        for (int level = 2; level < parts.Length; level++)
        {
            string directory = string.Join('/', parts[..level]);
            if (member.Nodes.GetValueOrDefault(directory) is not SourceDirectory node)
            {
                return;
            }

            foreach (var entry in node.Entries)
            {
                string sibling = directory + "/" + entry.DisplayName;
                if (!reserved.Contains(sibling) && !editor.IsAdded($"{ClosureAnalysis.RealDirectory}/{sibling}"))
                {
                    editor.Add($"{ClosureAnalysis.RealDirectory}/{sibling}", editor.Symlink(ClosureAnalysis.Relative($"{ClosureAnalysis.RealDirectory}/{sibling}", sibling)));
                }
            }
        }
    }

    /// <summary>A POSIX shell script run by the closure's own /bin/sh: exports, then exec of the real program.</summary>
    internal static string WrapperText(string shell, string real, WrapperRules.Environment environment)
    {
        var text = new StringBuilder();
        text.Append("#!").Append(shell).Append('\n').Append(WrapperComment).Append('\n');
        foreach (var (name, value) in environment.Set)
        {
            text.Append($"{name}={Quote(value)}\nexport {name}\n");
        }

        foreach (var (name, value) in environment.Prepend)
        {
            text.Append($"{name}={Quote(value)}\"${{{name}:+:${name}}}\"\nexport {name}\n");
        }

        text.Append("exec ").Append(Quote(real));
        foreach (string argument in environment.Arguments)
        {
            text.Append(' ').Append(Quote(argument));
        }

        text.Append(" \"$@\"\n");
        return text.ToString();
    }

    private static byte[] ReadAll(SourceFile file)
    {
        using var stream = file.OpenContent();
        using var memory = new MemoryStream();
        stream.CopyTo(memory);
        return memory.ToArray();
    }

    private static void Replace(TreeEditor editor, SourceFile original, byte[] content)
    {
        var edited = SourceFile.FromBytes(content);
        TreeEditor.CopyAttributes(original, edited);
        editor.ReplaceNode(original, edited);
    }

    private static string Quote(string value) => "'" + value.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    private static string FirstPath(ClosureMember member, SourceNode node) =>
        member.Nodes.Where(n => ReferenceEquals(n.Value, node)).Select(n => n.Key).Order(StringComparer.Ordinal).First();

    private static string CreateSpool()
    {
        string spool = Path.Combine(Path.GetTempPath(), $"distri-relocate-{Environment.ProcessId}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(spool);
        return spool;
    }

    private static bool IsInputError(Exception e) =>
        e is InvalidDataException or FormatException or IOException or UnauthorizedAccessException or ZstdSharp.ZstdException
            or SquashFs.SquashFsException;
}
