namespace Distri.Core.Apt;

/// <summary>
/// Lookups in an archive's Contents-ARCH index ("path   section/pkg,section/pkg" per line, paths without the leading
/// '/'; old archives put a free-text header before a "FILE LOCATION" line). The index is large (tens of MB), so it
/// is streamed once per lookup batch and only the wanted paths are kept.
/// </summary>
public static class ContentsIndex
{
    private const int MaxLineChars = 64 << 10;

    /// <summary>For each wanted path (no leading '/') found, the package names that ship it.</summary>
    public static Dictionary<string, IReadOnlyList<string>> Find(TextReader reader, IReadOnlySet<string> wanted)
    {
        var found = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        while (reader.ReadLine() is { } line)
        {
            if (line.Length > MaxLineChars)
            {
                throw new InvalidDataException($"Contents index: a line is longer than {MaxLineChars} characters");
            }

            // The path may contain spaces; the package list is the last whitespace-separated field.
            int split = line.AsSpan().TrimEnd().LastIndexOfAny(' ', '\t');
            if (split <= 0)
            {
                continue;
            }

            string path = line[..split].TrimEnd().TrimStart('/');
            if (!wanted.Contains(path))
            {
                continue;
            }

            var packages = line[(split + 1)..].Trim()
                .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Select(location => location[(location.LastIndexOf('/') + 1)..])
                .ToList();
            found[path] = packages;
        }

        return found;
    }

    /// <summary>Where a file that satisfies a requirement may live in a package (merged-/usr both ways; libraries in the loader's default directories).</summary>
    public static IReadOnlyList<string> CandidatePaths(string kind, string what, string architecture)
    {
        if (kind == "soname")
        {
            string triplet = architecture switch
            {
                "arm64" => "aarch64-linux-gnu",
                "i386" => "i386-linux-gnu",
                _ => "x86_64-linux-gnu",
            };
            return [$"lib/{triplet}/{what}", $"usr/lib/{triplet}/{what}", $"lib/{what}", $"usr/lib/{what}", $"lib64/{what}", $"usr/lib64/{what}"];
        }

        string path = what.TrimStart('/');
        string[] merged = ["bin/", "sbin/", "lib/", "lib64/", "lib32/", "libx32/"];
        if (merged.Any(prefix => path.StartsWith(prefix, StringComparison.Ordinal)))
        {
            return [path, "usr/" + path];
        }

        if (path.StartsWith("usr/", StringComparison.Ordinal) && merged.Any(prefix => path.AsSpan(4).StartsWith(prefix, StringComparison.Ordinal)))
        {
            return [path, path[4..]];
        }

        return [path];
    }
}
