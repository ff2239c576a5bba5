namespace Distri.Core.AppStream;

/// <summary>
/// The few keys of a desktop file (freedesktop Desktop Entry) a catalog uses: Name, Comment, Icon, Categories of the
/// <c>[Desktop Entry]</c> group (untranslated). Bounded by its caller; unknown keys and other groups are ignored.
/// </summary>
internal sealed record DesktopEntry(string? Name, string? Comment, string? Icon, IReadOnlyList<string> Categories, bool NoDisplay)
{
    public static DesktopEntry Parse(ReadOnlySpan<byte> utf8)
    {
        string? name = null, comment = null, icon = null, categories = null;
        bool noDisplay = false, inMain = false;
        foreach (string raw in System.Text.Encoding.UTF8.GetString(utf8).Split('\n'))
        {
            string line = raw.Trim();
            if (line.StartsWith('['))
            {
                inMain = line == "[Desktop Entry]";
                continue;
            }

            int eq = line.IndexOf('=');
            if (!inMain || line.StartsWith('#') || eq <= 0)
            {
                continue;
            }

            string key = line[..eq].TrimEnd();
            string value = line[(eq + 1)..].Trim();
            switch (key)
            {
                case "Name": name ??= value; break;
                case "Comment": comment ??= value; break;
                case "Icon": icon ??= value; break;
                case "Categories": categories ??= value; break;
                case "NoDisplay": noDisplay = value == "true"; break;
            }
        }

        return new DesktopEntry(
            Empty(name), Empty(comment), Empty(icon),
            [.. (categories ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Take(32)],
            noDisplay);
    }

    private static string? Empty(string? value) => string.IsNullOrEmpty(value) ? null : value;
}
