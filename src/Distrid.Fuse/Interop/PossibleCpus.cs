using System.Globalization;

namespace Distrid.Fuse.Interop;

/// <summary>
/// The number of possible CPUs (/sys/devices/system/cpu/possible, e.g. "0-7" or "0,2-3"): the kernel makes one
/// FUSE-over-io_uring queue per possible CPU and waits for all of them, so this, not the online or affinity count,
/// is how many queues must be registered.
/// </summary>
internal static class PossibleCpus
{
    private const string Path = "/sys/devices/system/cpu/possible";

    /// <summary>The count, or null when the file is missing or unreadable.</summary>
    public static int? Count()
    {
        string text;
        try
        {
            text = File.ReadAllText(Path).Trim();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }

        return Parse(text);
    }

    /// <summary>Counts the CPUs of a kernel cpu list; null when it is not one.</summary>
    internal static int? Parse(string list)
    {
        int count = 0;
        foreach (string part in list.Split(',', StringSplitOptions.RemoveEmptyEntries))
        {
            string[] range = part.Split('-');
            if (range.Length > 2
                || !int.TryParse(range[0], NumberStyles.None, CultureInfo.InvariantCulture, out int first)
                || !int.TryParse(range[^1], NumberStyles.None, CultureInfo.InvariantCulture, out int last)
                || last < first || last > 65535)
            {
                return null;
            }

            count += last - first + 1;
        }

        return count is > 0 and <= 65536 ? count : null;
    }
}
