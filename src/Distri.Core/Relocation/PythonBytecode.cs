using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Distri.Core.FileTree;

namespace Distri.Core.Relocation;

/// <summary>
/// Byte-compiles a closure's Python modules at import, what Debian's postinst does with <c>py3compile</c> (an import
/// runs no maintainer scripts, and /ro is read-only, so without this Python compiles every module on every start).
/// The compiler is an interpreter on the importing machine of the closure's Python version whose magic number equals
/// the one in the closure's own <c>importlib/_bootstrap_external.py</c>; the .pyc are hash-based and unchecked
/// (<c>--invalidation-mode unchecked-hash</c>: they depend on no mtime, and the sources in an image never change), go
/// to <c>__pycache__</c> next to their sources in the same package's image, and are compiled with a fixed hash seed
/// and the module's /ro path as its file name, so the same inputs give the same bytes.
/// </summary>
internal sealed partial class PythonBytecode
{
    private const int MaxOutputBytes = 4096;
    private const long MaxBootstrapBytes = 1 << 20;

    // The driver, run by the compiler: one "source TAB /ro path" per line on stdin. A file that is not valid Python 3
    // is skipped, as py3compile does (some packages ship Python 2 examples or test data under their module tree).
    private const string Driver = """
        import sys, py_compile, importlib.util
        mode = py_compile.PycInvalidationMode.UNCHECKED_HASH
        for line in sys.stdin:
            source, shown = line.rstrip('\n').split('\t')
            try:
                py_compile.compile(source, cfile=importlib.util.cache_from_source(source), dfile=shown, doraise=True, invalidation_mode=mode)
            except Exception:
                pass
        """;

    private PythonBytecode(string version, string interpreter, string cacheTag, string magic)
    {
        Version = version;
        Interpreter = interpreter;
        CacheTag = cacheTag;
        Magic = magic;
    }

    /// <summary>The closure's Python version ("3.11").</summary>
    public string Version { get; }

    /// <summary>The compiling interpreter (an absolute path).</summary>
    public string Interpreter { get; }

    /// <summary>sys.implementation.cache_tag of the compiler ("cpython-311"): the .pyc's name part.</summary>
    public string CacheTag { get; }

    /// <summary>The compiler's magic number, hex.</summary>
    public string Magic { get; }

    /// <summary>What the import state records for a package compiled with this compiler.</summary>
    public string Identity => HostIdentity(Version, Magic);

    /// <summary>"python3.11:&lt;magic&gt;": the host compiler for a version as the import state records it (magic empty when there is none).</summary>
    public static string HostIdentity(string version, string? magic) => $"python{version}:{magic}";

    /// <summary>
    /// The compiler for <paramref name="members"/>' Python modules, or null when they have none, or (with one warning)
    /// when the closure's interpreter version is not on this machine or its magic number differs.
    /// </summary>
    public static PythonBytecode? Find(IReadOnlyList<ClosureMember> members, Action<string> warn, out string? version, out string? identity)
    {
        identity = null;
        version = null;
        string? closureMagic = null;
        foreach (var member in members)
        {
            foreach (var (path, node) in member.Nodes)
            {
                if (BootstrapPath().Match(path) is { Success: true } match && node is SourceFile file)
                {
                    version = match.Groups[1].Value;
                    closureMagic = ReadMagic(file);
                }
            }
        }

        string? found = version;
        if (found is null || !members.Any(m => Modules(m, found).Any()))
        {
            return null;
        }

        var host = Query(found);
        identity = HostIdentity(found, host?.Magic);
        if (host is null)
        {
            warn($"python{version}: no such interpreter on this machine; the closure's Python modules get no bytecode (Python compiles them on every start from /ro)");
            return null;
        }

        if (closureMagic is null || closureMagic != host.Magic)
        {
            warn($"{host.Interpreter}: magic number {host.Magic}, the closure's python{version} has {closureMagic ?? "none readable"}; its modules get no bytecode");
            return null;
        }

        return host;
    }

    /// <summary>Whether a package compiled as <paramref name="recorded"/> (<see cref="Identity"/>) would be compiled the same way on this machine now.</summary>
    public static bool IsCurrent(string recorded)
    {
        int colon = recorded.IndexOf(':', StringComparison.Ordinal);
        if (!recorded.StartsWith("python", StringComparison.Ordinal) || colon < 0)
        {
            return false;
        }

        string version = recorded["python".Length..colon];
        return recorded == HostIdentity(version, HostMagic.GetOrAdd(version, v => Query(v)?.Magic));
    }

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, string?> HostMagic = new(StringComparer.Ordinal);

    /// <summary>The host's interpreter of <paramref name="version"/> with its magic number and cache tag, or null.</summary>
    public static PythonBytecode? Query(string version)
    {
        string name = $"python{version}";
        string? interpreter = (Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin:/bin").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(d => Path.Combine(d, name)).FirstOrDefault(File.Exists);
        if (interpreter is null)
        {
            return null;
        }

        var (exit, output) = Run(interpreter, ["-S", "-c", "import importlib.util, sys; print(importlib.util.MAGIC_NUMBER.hex(), sys.implementation.cache_tag)"], null, null);
        string[] words = output.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return exit == 0 && words.Length == 2 ? new PythonBytecode(version, interpreter, words[1], words[0]) : null;
    }

    /// <summary>
    /// The member's module sources: *.py under lib/python3/dist-packages and lib/python&lt;version&gt; that are regular
    /// files or symlinks to one in the same package (Debian's sitecustomize.py links to /etc; py3compile compiles it).
    /// </summary>
    public static IEnumerable<string> Modules(ClosureMember member, string version) =>
        member.Nodes.Where(n => IsModulePath(n.Key, version) && Source(member, n.Key) is not null).Select(n => n.Key).Order(StringComparer.Ordinal);

    /// <summary>The regular file a module path names in its own package, following up to 8 symlinks; null if none.</summary>
    private static SourceFile? Source(ClosureMember member, string path)
    {
        for (int hops = 0; hops < 8; hops++)
        {
            switch (member.Nodes.GetValueOrDefault(path))
            {
                case SourceFile file:
                    return file;
                case SourceSymlink link:
                    string target = Encoding.UTF8.GetString(link.Target);
                    string? next = target.StartsWith('/') ? ClosureView.MapAbsolute(target) : ClosureView.Lexical(ClosureView.Directory(path), target);
                    if (next is null)
                    {
                        return null;
                    }

                    path = next;
                    break;
                default:
                    return null;
            }
        }

        return null;
    }

    private static bool IsModulePath(string path, string version) =>
        path.EndsWith(".py", StringComparison.Ordinal)
        && (path.StartsWith("lib/python3/dist-packages/", StringComparison.Ordinal) || path.StartsWith($"lib/python{version}/", StringComparison.Ordinal))
        && !path.Contains('\t', StringComparison.Ordinal) && !path.Contains('\n', StringComparison.Ordinal)
        && !path.Contains("/__pycache__/", StringComparison.Ordinal);

    /// <summary>
    /// Compiles the member's modules (their content as relocated: <paramref name="map"/>) in a scratch directory under
    /// <paramref name="spool"/>, and returns each .pyc by its path in the package.
    /// </summary>
    public IReadOnlyList<(string Path, byte[] Content)> Compile(ClosureMember member, Func<SourceNode, SourceNode> map, string spool)
    {
        string[] modules = [.. Modules(member, Version)];
        if (modules.Length == 0)
        {
            return [];
        }

        string scratch = Path.Combine(spool, $"{member.FullName}.python");
        Directory.CreateDirectory(scratch);
        var input = new StringBuilder();
        foreach (string module in modules)
        {
            string source = Path.Combine(scratch, module);
            Directory.CreateDirectory(Path.GetDirectoryName(source)!);
            using (var from = ((SourceFile)map(Source(member, module)!)).OpenContent())
            using (var to = new FileStream(source, FileMode.CreateNew, FileAccess.Write))
            {
                from.CopyTo(to);
            }

            input.Append(source).Append('\t').Append(WrapperRules.Ro(member, module)).Append('\n');
        }

        var environment = new Dictionary<string, string>
        {
            // A fixed seed: the order of set and frozenset constants in the marshalled code depends on it.
            ["PYTHONHASHSEED"] = "0",
            ["PYTHONUTF8"] = "1",
            ["PATH"] = "/usr/bin:/bin",
        };
        var (exit, output) = Run(Interpreter, ["-S", "-c", Driver], input.ToString(), environment);
        if (exit != 0)
        {
            throw new IOException($"{Interpreter} failed to byte-compile {member.FullName}'s modules ({exit}): {output}");
        }

        var compiled = new List<(string, byte[])>();
        foreach (string module in modules)
        {
            string directory = ClosureView.Directory(module);
            string stem = Path.GetFileNameWithoutExtension(module);
            string pyc = $"{(directory.Length == 0 ? "" : directory + "/")}__pycache__/{stem}.{CacheTag}.pyc";
            string file = Path.Combine(scratch, pyc);
            if (File.Exists(file))
            {
                compiled.Add((pyc, File.ReadAllBytes(file)));
            }
        }

        return compiled;
    }

    private static string? ReadMagic(SourceFile file)
    {
        // CPython's file is about 70 KiB; a larger one is not what it claims to be.
        if (file.Length > MaxBootstrapBytes)
        {
            return null;
        }

        using var stream = file.OpenContent();
        using var reader = new StreamReader(stream, Encoding.UTF8);
        var match = MagicLine().Match(reader.ReadToEnd());
        if (!match.Success)
        {
            return null;
        }

        int number = int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
        return Convert.ToHexStringLower([(byte)(number & 0xFF), (byte)(number >> 8), 0x0D, 0x0A]);
    }

    private static (int Exit, string Output) Run(string program, string[] arguments, string? stdin, Dictionary<string, string>? environment)
    {
        var start = new ProcessStartInfo(program)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        if (environment is not null)
        {
            start.Environment.Clear();
            foreach (var (name, value) in environment)
            {
                start.Environment[name] = value;
            }
        }

        using var process = Process.Start(start) ?? throw new IOException($"{program}: could not start");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        process.StandardInput.Write(stdin ?? "");
        process.StandardInput.Close();
        process.WaitForExit();
        string output = (stdout.Result + stderr.Result).Trim();
        return (process.ExitCode, output.Length > MaxOutputBytes ? output[..MaxOutputBytes] : output);
    }

    [GeneratedRegex(@"^lib/python(3\.\d+)/importlib/_bootstrap_external\.py$")]
    private static partial Regex BootstrapPath();

    [GeneratedRegex(@"MAGIC_NUMBER = \((\d+)\)\.to_bytes\(2, 'little'\) \+ b'\\r\\n'")]
    private static partial Regex MagicLine();
}
