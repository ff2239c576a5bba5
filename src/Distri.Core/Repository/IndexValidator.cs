using Distri.Core.Packages;

namespace Distri.Core.Repository;

/// <summary>
/// Checks every entry of an index before anything uses it: a signed index is still input from a key holder that may
/// have made a mistake, and its names become file names, so one bad entry rejects the whole index.
/// </summary>
internal static class IndexValidator
{
    /// <summary>Largest image an index may announce (the daemon pre-allocates nothing from it, but bounds downloads).</summary>
    public const long MaxImageSize = 64L << 30;

    public const int MaxPackages = 1_000_000;
    public const int MaxDependencies = 10_000;
    public const int MaxSummaryLength = 4096;

    public static void Validate(RepositoryIndex index)
    {
        if (index.FormatVersion != RepositoryIndex.CurrentFormatVersion)
        {
            throw Bad($"unsupported formatVersion {index.FormatVersion} (this client reads {RepositoryIndex.CurrentFormatVersion})");
        }

        if (index.Packages is null)
        {
            throw Bad("no packages list");
        }

        if (index.Packages.Count > MaxPackages)
        {
            throw Bad($"{index.Packages.Count} packages (at most {MaxPackages})");
        }

        if (index.AppStream is { } appStream)
        {
            foreach (var (what, file) in new[] { ("catalog", appStream.Catalog), ("icons", appStream.Icons) })
            {
                if (file is null)
                {
                    throw Bad($"appstream {what}: missing");
                }

                if (!IsValidFile(file.Size, file.Sha256, out string? problem))
                {
                    throw Bad($"appstream {what}: {problem}");
                }
            }
        }

        var seen = new HashSet<string>(index.Packages.Count, StringComparer.Ordinal);
        for (int i = 0; i < index.Packages.Count; i++)
        {
            var entry = index.Packages[i] ?? throw Bad($"package #{i} is null");
            if (!IsValidEntry(entry, out string? problem))
            {
                throw Bad($"package #{i} {Quote(entry.FullName)}: {problem}");
            }

            if (!seen.Add(entry.FullName))
            {
                throw Bad($"package #{i} {Quote(entry.FullName)}: listed twice");
            }
        }
    }

    private static bool IsValidEntry(IndexEntry entry, out string? problem)
    {
        // PackageName's character set has no '/', so a parsed name is a safe single path component; the explicit
        // checks make the reason obvious in the error and do not depend on that detail.
        if (entry.FullName is null || entry.FullName.Contains('/') || entry.FullName.Contains('\0') || entry.FullName.Contains(".."))
        {
            problem = "full name contains '/', NUL or '..'";
            return false;
        }

        if (!PackageName.TryParse(entry.FullName, out _, out string? nameError))
        {
            problem = nameError;
            return false;
        }

        if (entry.Summary is null || entry.Summary.Length > MaxSummaryLength)
        {
            problem = $"summary missing or longer than {MaxSummaryLength} characters";
            return false;
        }

        if (!IsValidFile(entry.Size, entry.Sha256, out problem))
        {
            return false;
        }

        if (entry.Zst is not null && !IsValidFile(entry.Zst.Size, entry.Zst.Sha256, out problem))
        {
            problem = "zst: " + problem;
            return false;
        }

        if (entry.Dependencies is null || entry.Dependencies.Count > MaxDependencies)
        {
            problem = $"dependencies missing or more than {MaxDependencies}";
            return false;
        }

        foreach (string? dependency in entry.Dependencies)
        {
            if (!PackageName.TryParse(dependency, out _, out string? depError))
            {
                problem = $"dependency {depError}";
                return false;
            }
        }

        problem = null;
        return true;
    }

    private static bool IsValidFile(long size, string? sha256, out string? problem)
    {
        if (size is <= 0 or > MaxImageSize)
        {
            problem = $"size {size} is not between 1 and {MaxImageSize}";
            return false;
        }

        if (!IsSha256Hex(sha256))
        {
            problem = $"sha256 {Quote(sha256)} is not 64 lowercase hex digits";
            return false;
        }

        problem = null;
        return true;
    }

    public static bool IsSha256Hex(string? text) =>
        text is { Length: 64 } && text.AsSpan().IndexOfAnyExcept("0123456789abcdef") < 0;

    /// <summary>Quotes untrusted text for a one-line error: at most 80 characters, control characters as '?'.</summary>
    internal static string Quote(string? text)
    {
        if (text is null)
        {
            return "(null)";
        }

        string shown = text.Length <= 80 ? text : text[..80] + "…";
        return "'" + string.Create(shown.Length, shown, static (span, s) =>
        {
            for (int i = 0; i < s.Length; i++)
            {
                span[i] = char.IsControl(s[i]) ? '?' : s[i];
            }
        }) + "'";
    }

    /// <summary>Problems quote untrusted names (also inside PackageName's messages): keep the error on one line.</summary>
    private static RepositoryException Bad(string problem) =>
        new($"{RepositoryLayout.IndexFile}: {string.Create(problem.Length, problem, static (span, s) =>
        {
            for (int i = 0; i < s.Length; i++)
            {
                span[i] = char.IsControl(s[i]) ? '?' : s[i];
            }
        })}");
}
