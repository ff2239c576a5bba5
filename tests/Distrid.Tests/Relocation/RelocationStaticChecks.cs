using System.Text;
using System.Text.RegularExpressions;

namespace Distrid.Tests.Relocation;

/// <summary>
/// Checks over every package of a relocated closure as the daemon serves it: every ELF interpreter (readelf) is a
/// file under /ro; the real loader, run in a root with only /ro, finds every library of every ELF object; every
/// symlink outside share/doc resolves in that root; every executable's shebang names a program under /ro. The one
/// exception is a shebang naming /usr/local, which no Debian package provides (it marks a module that happens to be
/// executable, like python's cgi.py); it is reported by the importer and left alone.
/// </summary>
public static partial class RelocationStaticChecks
{
    public static async Task<IReadOnlyList<string>> CheckAsync(string mount, string images)
    {
        var findings = new List<string>();
        var names = Directory.EnumerateFiles(images, "*.meta.json").Select(f => Path.GetFileName(f)[..^".meta.json".Length]).Order(StringComparer.Ordinal).ToList();
        var elves = new List<string>();
        var links = new List<string>();
        foreach (string name in names)
        {
            foreach (var entry in Walk(new DirectoryInfo(Path.Combine(mount, name))))
            {
                string inRoot = "/ro/" + Path.GetRelativePath(mount, entry.FullName);
                string relative = Path.GetRelativePath(Path.Combine(mount, name), entry.FullName);
                if (entry.LinkTarget is not null)
                {
                    if (!IsDocumentation(relative))
                    {
                        links.Add(inRoot);
                    }

                    continue;
                }

                if (entry is not FileInfo file || file.Length < 4 || IsDocumentation(relative))
                {
                    continue;
                }

                byte[] start = new byte[Math.Min(256, (int)Math.Min(file.Length, 256))];
                using (var stream = file.OpenRead())
                {
                    stream.ReadExactly(start);
                }

                if (start[0] == 0x7F && start[1] == 'E' && start[2] == 'L' && start[3] == 'F')
                {
                    elves.Add(inRoot);
                }
                else if (start[0] == '#' && start[1] == '!' && (file.UnixFileMode & (UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute)) != 0)
                {
                    int end = Array.IndexOf(start, (byte)'\n');
                    string line = Encoding.UTF8.GetString(start, 2, end < 0 ? start.Length - 2 : end - 2).Trim();
                    string interpreter = line.Split(' ', '\t')[0];
                    if (!interpreter.StartsWith("/ro/", StringComparison.Ordinal) && !interpreter.StartsWith("/usr/local/", StringComparison.Ordinal))
                    {
                        findings.Add($"{inRoot}: shebang #!{line} is outside /ro");
                    }
                    else if (interpreter.StartsWith("/ro/", StringComparison.Ordinal) && !File.Exists(Path.Combine(mount, interpreter[4..])))
                    {
                        findings.Add($"{inRoot}: shebang interpreter {interpreter} does not exist");
                    }
                }
            }
        }

        Assert.NotEmpty(elves);
        string? loader = null;
        var x86 = new List<string>();
        foreach (var chunk in elves.Chunk(200))
        {
            // readelf is the oracle for the interpreter (and tells which objects are x86-64 at all).
            string output = RelocatedClosureFixture.Run("readelf", ["-hlW", .. chunk.Select(p => Path.Combine(mount, p[4..]))], null);
            if (chunk.Length == 1)
            {
                output = $"File: {Path.Combine(mount, chunk[0][4..])}\n{output}"; // readelf names files only when given several
            }

            foreach (var (file, text) in SplitByFile(output, mount))
            {
                if (!text.Contains("Advanced Micro Devices X86-64", StringComparison.Ordinal))
                {
                    continue;
                }

                x86.Add(file);
                if (Interpreter().Match(text) is { Success: true } match)
                {
                    string interpreter = match.Groups[1].Value;
                    if (!interpreter.StartsWith("/ro/", StringComparison.Ordinal) || !File.Exists(Path.Combine(mount, interpreter[4..])))
                    {
                        findings.Add($"{file}: interpreter {interpreter} is not a file under /ro");
                    }
                    else
                    {
                        loader ??= interpreter;
                    }
                }
            }
        }

        Assert.NotNull(loader);
        using var root = new EmptyRoot(mount);
        File.WriteAllLines(Path.Combine(root.Path, "tmp", "elves"), x86);
        File.WriteAllLines(Path.Combine(root.Path, "tmp", "links"), links);
        var libraries = await root.RunAsync(["/ro/bin/sh", "-c",
            $"while read f; do out=$('{loader}' --list \"$f\" 2>&1); case \"$out\" in *'not found'*) echo \"$f: $out\";; esac; done < /tmp/elves"]);
        Assert.True(libraries.ExitCode == 0, libraries.Stderr);
        findings.AddRange(libraries.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => l.Contains("not found", StringComparison.Ordinal)).Select(l => "library not found: " + l.Trim()));
        var dangling = await root.RunAsync(["/ro/bin/sh", "-c", "while read f; do [ -e \"$f\" ] || echo \"$f\"; done < /tmp/links"]);
        Assert.True(dangling.ExitCode == 0, dangling.Stderr);
        findings.AddRange(dangling.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => "dangling link: " + l));
        return findings;
    }

    // Documentation is not relocated (examples with #!/usr/bin/perl are read, not run); share/doc is also the
    // issue's exception for dangling links.
    private static bool IsDocumentation(string relative) =>
        relative.StartsWith("share/doc/", StringComparison.Ordinal) || relative.StartsWith("share/man/", StringComparison.Ordinal);

    /// <summary>Every entry under <paramref name="directory"/>, not descending into symlinked directories.</summary>
    private static IEnumerable<FileSystemInfo> Walk(DirectoryInfo directory)
    {
        foreach (var entry in directory.EnumerateFileSystemInfos("*", new EnumerationOptions { AttributesToSkip = 0 }))
        {
            yield return entry;
            if (entry is DirectoryInfo child && entry.LinkTarget is null)
            {
                foreach (var below in Walk(child))
                {
                    yield return below;
                }
            }
        }
    }

    private static IEnumerable<(string File, string Text)> SplitByFile(string output, string mount)
    {
        foreach (string part in output.Split("\nFile: ").Select((p, i) => i == 0 && p.StartsWith("File: ", StringComparison.Ordinal) ? p[6..] : p))
        {
            int end = part.IndexOf('\n');
            if (end > 0)
            {
                yield return ("/ro/" + Path.GetRelativePath(mount, part[..end].Trim()), part);
            }
        }
    }

    [GeneratedRegex(@"Requesting program interpreter: ([^\]]+)\]")]
    private static partial Regex Interpreter();
}
