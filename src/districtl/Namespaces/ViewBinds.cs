using System.Text;
using Distrid.Protocol;

namespace Districtl.Namespaces;

/// <summary>
/// Which of a view's directories are bound where they belong in the calling thread's mount namespace, read from
/// <c>/proc/thread-self/mountinfo</c> (the thread's namespace, which <c>/proc/self</c>, the main thread's, is not):
/// the top mount at <c>/ro/bin</c> must have the view's <c>bin</c> (<c>/.view/3/bin</c> in the FUSE tree) as its root.
/// </summary>
internal static class ViewBinds
{
    public static HashSet<string> Read(RunView view)
    {
        string viewRoot = "/" + Path.GetRelativePath(view.Mountpoint, view.Path);
        var topRoots = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (string line in File.ReadLines("/proc/thread-self/mountinfo"))
        {
            // id parent major:minor root mountpoint options ...; later lines are mounted later, so on top.
            string[] fields = line.Split(' ', 6);
            if (fields.Length >= 5)
            {
                topRoots[Unescape(fields[4])] = Unescape(fields[3]);
            }
        }

        var bound = new HashSet<string>(StringComparer.Ordinal);
        foreach (string directory in view.Directories)
        {
            if (topRoots.TryGetValue(Path.Join(view.Mountpoint, directory), out string? root) && root == $"{viewRoot}/{directory}")
            {
                bound.Add(directory);
            }
        }

        return bound;
    }

    /// <summary>mountinfo writes space, tab, newline and backslash as octal escapes (<c>\040</c>).</summary>
    private static string Unescape(string field)
    {
        if (!field.Contains('\\', StringComparison.Ordinal))
        {
            return field;
        }

        var text = new StringBuilder(field.Length);
        for (int i = 0; i < field.Length; i++)
        {
            if (field[i] == '\\' && IsOctal(field, i + 1))
            {
                text.Append((char)Convert.ToInt32(field.Substring(i + 1, 3), 8));
                i += 3;
            }
            else
            {
                text.Append(field[i]);
            }
        }

        return text.ToString();
    }

    private static bool IsOctal(string field, int start) =>
        start + 3 <= field.Length && field[start] is >= '0' and <= '7' && field[start + 1] is >= '0' and <= '7' && field[start + 2] is >= '0' and <= '7';
}
