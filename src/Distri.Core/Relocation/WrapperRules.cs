using System.Text.RegularExpressions;

namespace Distri.Core.Relocation;

/// <summary>
/// Which programs cannot find their files from their own location and what they need instead, as environment
/// variables and arguments computed from the program's runtime closure. Interpreters whose compiled-in search
/// paths point at /usr (perl's @INC, python's prefix) get the module directories of the closure; programs with a
/// compiled-in data directory that moved get it by the variable or option they read it from.
/// </summary>
internal static partial class WrapperRules
{
    /// <summary>The kind of program, which decides the environment it needs.</summary>
    public enum Kind
    {
        None,
        Perl,
        Python,
    }

    /// <summary>What a wrapper sets: variables that replace, variables that are prepended to, arguments placed before the user's.</summary>
    public sealed record Environment(
        IReadOnlyList<(string Name, string Value)> Set,
        IReadOnlyList<(string Name, string Value)> Prepend,
        IReadOnlyList<string> Arguments)
    {
        public bool IsEmpty => Set.Count == 0 && Prepend.Count == 0 && Arguments.Count == 0;
    }

    /// <summary>The kind of an interpreter, by the base name of its real file ("perl", "perl5.36.0", "python3.11").</summary>
    public static Kind InterpreterKind(string baseName) =>
        PerlName().IsMatch(baseName) ? Kind.Perl : PythonName().IsMatch(baseName) ? Kind.Python : Kind.None;

    /// <summary>
    /// True for files inside an interpreter's module directories (python's stdlib, perl's @INC): they are imported,
    /// not run, even when executable (base64.py), so they keep their content and get no wrapper.
    /// </summary>
    public static bool IsModule(string path) => ModuleDirectory().IsMatch(path);

    /// <summary>True for programs that need a wrapper because of what they are, not what runs them.</summary>
    public static bool IsToolWithDataPaths(string path) => path == "bin/git" || QemuSystem().IsMatch(path);

    /// <summary>
    /// The environment for the program at <paramref name="path"/> of kind <paramref name="kind"/>
    /// (for a script: its interpreter's kind; <paramref name="interpreterName"/> is the interpreter's base name).
    /// </summary>
    public static Environment For(string path, Kind kind, string interpreterName, IReadOnlyList<ClosureMember> closure)
    {
        var set = new List<(string, string)>();
        var prepend = new List<(string, string)>();
        var arguments = new List<string>();
        var sorted = closure.OrderBy(m => m.FullName, StringComparer.Ordinal).ToList();
        switch (kind)
        {
            case Kind.Perl:
                var perl = PerlDirectories(sorted).ToList();
                AddList(prepend, "PERL5LIB", perl.Select(d => Ro(d.Member, d.Path)).Concat(perl.Select(d => Exchange(d.Path)).Distinct()));
                break;
            case Kind.Python:
                AddPython(set, prepend, PythonVersion(interpreterName, sorted), sorted);
                break;
        }

        if (path == "bin/git")
        {
            AddFirst(set, "GIT_EXEC_PATH", closure, "lib/git-core");
            AddFirst(set, "GIT_TEMPLATE_DIR", closure, "share/git-core/templates");
        }

        if (QemuSystem().IsMatch(path))
        {
            foreach (var member in closure)
            {
                foreach (string directory in member.Nodes.Keys.Where(p => QemuModuleDirectory().IsMatch(p)).Order(StringComparer.Ordinal))
                {
                    if (!set.Any(s => s.Item1 == "QEMU_MODULE_DIR"))
                    {
                        set.Add(("QEMU_MODULE_DIR", Ro(member, directory)));
                    }
                }
            }

            // qemu searches -L directories before its compiled-in /usr/share/qemu:/usr/share/seabios:/usr/lib/ipxe/qemu.
            foreach (var member in sorted)
            {
                foreach (string directory in (string[])["share/qemu", "share/seabios", "lib/ipxe/qemu", "share/ovmf", "share/qemu-efi-aarch64"])
                {
                    if (member.Nodes.ContainsKey(directory))
                    {
                        arguments.Add("-L");
                        arguments.Add(Ro(member, directory));
                    }
                }
            }
        }

        var sasl = sorted.SelectMany(m => m.Nodes.Keys.Where(p => SaslPluginDirectory().IsMatch(p)).Order(StringComparer.Ordinal).Select(p => Ro(m, p))).ToList();
        if (sasl.Count > 0)
        {
            set.Add(("SASL_PATH", string.Join(':', sasl)));
        }

        // libfontconfig reads /etc/fonts/fonts.conf, a compiled-in path outside /ro (no fonts at all without it), and
        // looks for the files it includes (conf.d) in the same compiled-in directory.
        if (sorted.FirstOrDefault(HasFontconfigConfiguration) is { } fonts)
        {
            set.Add(("FONTCONFIG_FILE", Ro(fonts, FontconfigConfiguration)));
            set.Add(("FONTCONFIG_PATH", Ro(fonts, ClosureView.Directory(FontconfigConfiguration))));
        }

        return new Environment(set, prepend, arguments);
    }

    /// <summary>fontconfig's configuration, as fontconfig-config ships it.</summary>
    public const string FontconfigConfiguration = "etc/fonts/fonts.conf";

    /// <summary>True when the member holds fontconfig's configuration, which libfontconfig reads from a compiled-in /etc path.</summary>
    public static bool HasFontconfigConfiguration(ClosureMember member) => member.Nodes.ContainsKey(FontconfigConfiguration);

    /// <summary>The exchange directory of a path: /ro/&lt;path&gt;, where the daemon merges every installed package.</summary>
    public static string Exchange(string path) => "/ro/" + path;

    /// <summary>/ro/&lt;fullname&gt;/&lt;path&gt;.</summary>
    public static string Ro(ClosureMember member, string path) => path.Length == 0 ? $"/ro/{member.FullName}" : $"/ro/{member.FullName}/{path}";

    private static void AddFirst(List<(string, string)> set, string name, IReadOnlyList<ClosureMember> closure, string directory)
    {
        var member = closure.FirstOrDefault(m => m.Nodes.ContainsKey(directory));
        if (member is not null)
        {
            set.Add((name, Ro(member, directory)));
        }
    }

    private static void AddList(List<(string, string)> list, string name, IEnumerable<string> values)
    {
        string joined = string.Join(':', values);
        if (joined.Length > 0)
        {
            list.Add((name, joined));
        }
    }

    // perl's own @INC order on Debian: /etc/perl, arch perl5, share/perl5, perl-base, arch core, share core.
    private static IEnumerable<(ClosureMember Member, string Path)> PerlDirectories(List<ClosureMember> closure)
    {
        Regex[] order = [PerlEtc(), PerlArchVendor(), PerlShareVendor(), PerlBase(), PerlArchCore(), PerlShareCore()];
        foreach (var pattern in order)
        {
            foreach (var member in closure)
            {
                foreach (string path in member.Nodes.Where(n => n.Value is FileTree.SourceDirectory).Select(n => n.Key)
                    .Where(p => pattern.IsMatch(p)).Order(StringComparer.Ordinal))
                {
                    yield return (member, path);
                }
            }
        }
    }

    private static string? PythonVersion(string interpreterName, List<ClosureMember> closure)
    {
        var match = PythonName().Match(interpreterName);
        if (match.Groups["version"].Success)
        {
            return match.Groups["version"].Value;
        }

        // "python3": the closure's newest lib/python3.X with an os.py.
        return closure.SelectMany(m => m.Nodes.Keys).Select(p => PythonStdlib().Match(p)).Where(m => m.Success)
            .Select(m => m.Groups["version"].Value).Distinct().OrderBy(v => Version.TryParse(v, out var parsed) ? parsed : new Version(0, 0))
            .LastOrDefault();
    }

    // The stdlib of Debian's python is split over packages (libpythonX.Y-minimal has os.py, -stdlib the rest), so
    // PYTHONHOME names the package with os.py as prefix and lib-dynload as exec_prefix, PYTHONPATH the others.
    private static void AddPython(List<(string, string)> set, List<(string, string)> prepend, string? version, List<ClosureMember> closure)
    {
        if (version is null)
        {
            return;
        }

        string stdlib = $"lib/python{version}";
        string dynload = $"{stdlib}/lib-dynload";
        var prefix = closure.FirstOrDefault(m => m.Nodes.ContainsKey($"{stdlib}/os.py"));
        if (prefix is null)
        {
            return;
        }

        var execPrefix = prefix.Nodes.ContainsKey(dynload) ? prefix : closure.FirstOrDefault(m => m.Nodes.ContainsKey(dynload)) ?? prefix;
        set.Add(("PYTHONHOME", execPrefix == prefix ? Ro(prefix, "") : $"{Ro(prefix, "")}:{Ro(execPrefix, "")}"));
        string[] directories = [stdlib, dynload, "lib/python3/dist-packages", $"{stdlib}/dist-packages", $"{stdlib}/site-packages"];
        var path = new List<string>();
        foreach (var member in closure)
        {
            path.AddRange(directories.Where(member.Nodes.ContainsKey).Select(d => Ro(member, d)));
        }

        // Then what is installed: the exchange directories hold the modules of every installed package, as the
        // interpreter's own /usr would on Debian (python3-minimal's python3 is completed by libpython3.X-stdlib,
        // which it does not depend on).
        path.AddRange(directories.Select(Exchange));
        AddList(prepend, "PYTHONPATH", path);
    }

    [GeneratedRegex(@"^perl(\d[\d.]*)?$")]
    private static partial Regex PerlName();

    [GeneratedRegex(@"^python(?<version>\d+\.\d+)?$|^python\d$")]
    private static partial Regex PythonName();

    [GeneratedRegex(@"^lib/python(?<version>\d+\.\d+)/os\.py$")]
    private static partial Regex PythonStdlib();

    [GeneratedRegex(@"^(lib/python[\d.]+/|lib/python3/|share/perl5/|share/perl/|lib/[^/]+/perl5?/|lib/[^/]+/perl-base/)")]
    private static partial Regex ModuleDirectory();

    /// <summary>True when the member holds a plugin directory a library reads from a compiled-in /usr path.</summary>
    public static bool HasPluginDirectory(ClosureMember member) => member.Nodes.Keys.Any(p => SaslPluginDirectory().IsMatch(p));

    [GeneratedRegex(@"^lib/[^/]+-linux-gnu[^/]*/sasl2$")]
    private static partial Regex SaslPluginDirectory();

    [GeneratedRegex(@"^bin/qemu-system-[^/]+$")]
    private static partial Regex QemuSystem();

    [GeneratedRegex(@"^lib/[^/]+-linux-gnu[^/]*/qemu$")]
    private static partial Regex QemuModuleDirectory();

    [GeneratedRegex(@"^etc/perl$")]
    private static partial Regex PerlEtc();

    [GeneratedRegex(@"^lib/[^/]+/perl5/[\d.]+$")]
    private static partial Regex PerlArchVendor();

    [GeneratedRegex(@"^share/perl5$")]
    private static partial Regex PerlShareVendor();

    [GeneratedRegex(@"^lib/[^/]+/perl-base$")]
    private static partial Regex PerlBase();

    [GeneratedRegex(@"^lib/[^/]+/perl/[\d.]+$")]
    private static partial Regex PerlArchCore();

    [GeneratedRegex(@"^share/perl/[\d.]+$")]
    private static partial Regex PerlShareCore();
}
