using System.Globalization;
using System.Text;

namespace Distrid.Fuse.Mounting;

/// <summary>One line of /proc/self/mountinfo.</summary>
public sealed record MountEntry(int MountId, uint DeviceMajor, uint DeviceMinor, string MountPoint, string FileSystemType, string Source);

/// <summary>
/// Reads /proc/self/mountinfo. Reading the table never touches the mounted file system, so it is safe for a
/// mount whose server is dead or not yet answering (a stat would hang or fail).
/// </summary>
public static class MountTable
{
    private const string MountInfoPath = "/proc/self/mountinfo";

    /// <summary>The topmost mount at <paramref name="mountPoint"/>, or null.</summary>
    public static MountEntry? Find(string mountPoint)
    {
        string wanted = Normalize(mountPoint);
        MountEntry? found = null;
        foreach (MountEntry entry in ReadAll())
        {
            if (entry.MountPoint == wanted)
            {
                found = entry;
            }
        }

        return found;
    }

    public static IReadOnlyList<MountEntry> ReadAll()
    {
        var entries = new List<MountEntry>();
        foreach (string line in File.ReadLines(MountInfoPath))
        {
            MountEntry? entry = Parse(line);
            if (entry is not null)
            {
                entries.Add(entry);
            }
        }

        return entries;
    }

    /// <summary>Parses one mountinfo line: id parent major:minor root mountpoint opts [optional...] - type source super.</summary>
    internal static MountEntry? Parse(string line)
    {
        string[] fields = line.Split(' ');
        int separator = Array.IndexOf(fields, "-");
        if (fields.Length < 7 || separator < 6 || separator + 2 >= fields.Length)
        {
            return null;
        }

        string[] device = fields[2].Split(':');
        if (device.Length != 2
            || !int.TryParse(fields[0], NumberStyles.None, CultureInfo.InvariantCulture, out int id)
            || !uint.TryParse(device[0], NumberStyles.None, CultureInfo.InvariantCulture, out uint major)
            || !uint.TryParse(device[1], NumberStyles.None, CultureInfo.InvariantCulture, out uint minor))
        {
            return null;
        }

        return new MountEntry(id, major, minor, Unescape(fields[4]), Unescape(fields[separator + 1]), Unescape(fields[separator + 2]));
    }

    internal static string Normalize(string path)
    {
        string full = Path.GetFullPath(path);
        return full.Length > 1 ? full.TrimEnd('/') : full;
    }

    /// <summary>The kernel escapes space, tab, newline and backslash as \ooo octal.</summary>
    private static string Unescape(string field)
    {
        if (!field.Contains('\\', StringComparison.Ordinal))
        {
            return field;
        }

        var builder = new StringBuilder(field.Length);
        for (int i = 0; i < field.Length; i++)
        {
            if (field[i] == '\\' && IsOctal(field, i + 1))
            {
                builder.Append((char)Convert.ToInt32(field.Substring(i + 1, 3), 8));
                i += 3;
            }
            else
            {
                builder.Append(field[i]);
            }
        }

        return builder.ToString();
    }

    private static bool IsOctal(string text, int start) =>
        start + 3 <= text.Length && text[start] is >= '0' and <= '7' && text[start + 1] is >= '0' and <= '7' && text[start + 2] is >= '0' and <= '7';
}
