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
    /// Rewrites an absolute symlink target ("/usr/bin/foo") that names a path inside the package into a relative
    /// one from the link's directory ("../bin/foo" for a link in share/x). Relative targets and absolute ones
    /// pointing outside the package are returned unchanged.
    /// </summary>
    public static string RewriteTarget(string linkPath, string target, Func<string, bool> existsInPackage)
    {
        if (!target.StartsWith('/'))
        {
            return target;
        }

        string? mapped = MapPath(target);
        if (string.IsNullOrEmpty(mapped) || !existsInPackage(mapped))
        {
            return target;
        }

        string[] from = linkPath.Split('/')[..^1];
        string[] to = mapped.Split('/');
        int common = 0;
        while (common < from.Length && common < to.Length - 1 && from[common] == to[common])
        {
            common++;
        }

        var relative = Enumerable.Repeat("..", from.Length - common).Concat(to[common..]);
        return string.Join('/', relative);
    }
}
