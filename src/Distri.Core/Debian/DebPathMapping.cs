namespace Distri.Core.Debian;

/// <summary>
/// Where a Debian path goes inside a Distrid image, whose root is shown as /ro/&lt;fullname&gt;/ and whose bin/, lib/,
/// share/... are merged into /ro/bin, /ro/lib, /ro/share:
/// <list type="bullet">
/// <item>the leading "./" of tar names is dropped;</item>
/// <item>"usr/X/..." → "X/..." for every X: usr/bin → bin, usr/sbin → sbin, usr/lib → lib (so
/// usr/lib/x86_64-linux-gnu → lib/x86_64-linux-gnu), usr/libexec → libexec, usr/include → include,
/// usr/share → share, and anything else under usr/ likewise loses its "usr/";</item>
/// <item>everything else (bin, sbin, lib, lib64, etc, var, opt...) keeps its path.</item>
/// </list>
/// So a merged-/usr package and a split one land in the same place; when both spellings of one path occur, the
/// first wins and the importer reports the other.
/// </summary>
public static class DebPathMapping
{
    /// <summary>Maps a tar entry name to its path in the image, or "" for the root; null for names that escape it.</summary>
    public static string? MapPath(string tarName)
    {
        var parts = new List<string>();
        foreach (string part in tarName.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            if (part == ".")
            {
                continue;
            }

            if (part == "..")
            {
                return null;
            }

            parts.Add(part);
        }

        if (parts.Count > 0 && parts[0] == "usr")
        {
            parts.RemoveAt(0);
        }

        return string.Join('/', parts);
    }

    /// <summary>
    /// Rewrites a symlink target for the mapped layout. <paramref name="debianLinkPath"/> is the link's tar name and
    /// <paramref name="linkPath"/> its mapped path.
    /// <list type="bullet">
    /// <item>Absolute targets ("/usr/bin/foo") that name a path inside the package become relative from the link's
    /// directory ("../bin/foo" for a link in share/x); absolute targets outside the package are kept (they name the
    /// host's files).</item>
    /// <item>Relative targets are resolved lexically against the link's Debian directory and re-expressed in the
    /// mapped layout, so "lib/foo -> ../usr/lib/foo" becomes "lib/foo -> foo"; one that climbs above the root is
    /// kept as it is.</item>
    /// </list>
    /// </summary>
    public static string RewriteTarget(string debianLinkPath, string linkPath, string target, Func<string, bool> existsInPackage)
    {
        string? mapped;
        if (target.StartsWith('/'))
        {
            mapped = MapPath(target);
            if (string.IsNullOrEmpty(mapped) || !existsInPackage(mapped))
            {
                return target;
            }
        }
        else
        {
            string? debianDirectory = MapDirectoryUnmapped(debianLinkPath);
            string? resolved = debianDirectory is null ? null : Collapse(debianDirectory + "/" + target);
            mapped = resolved is null ? null : MapPath(resolved);
            if (string.IsNullOrEmpty(mapped))
            {
                return target;
            }
        }

        string[] from = linkPath.Split('/')[..^1];
        string[] to = mapped.Split('/');
        int common = 0;
        while (common < from.Length && common < to.Length - 1 && from[common] == to[common])
        {
            common++;
        }

        string relative = string.Join('/', Enumerable.Repeat("..", from.Length - common).Concat(to[common..]));
        return !target.StartsWith('/') && relative == Normalize(target) ? target : relative;
    }

    /// <summary>The link's directory in the Debian layout ("usr/lib"), without the leading "./".</summary>
    private static string? MapDirectoryUnmapped(string debianLinkPath)
    {
        var parts = debianLinkPath.Split('/', StringSplitOptions.RemoveEmptyEntries).Where(p => p != ".").ToList();
        return parts.Count == 0 ? null : string.Join('/', parts[..^1]);
    }

    /// <summary>Removes "." and "a/.." lexically; null when ".." climbs above the root.</summary>
    private static string? Collapse(string path)
    {
        var parts = new List<string>();
        foreach (string part in path.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            if (part == "..")
            {
                if (parts.Count == 0)
                {
                    return null;
                }

                parts.RemoveAt(parts.Count - 1);
            }
            else if (part != ".")
            {
                parts.Add(part);
            }
        }

        return string.Join('/', parts);
    }

    private static string Normalize(string relative) =>
        string.Join('/', relative.Split('/', StringSplitOptions.RemoveEmptyEntries).Where(p => p != "."));
}
