using System.Globalization;

namespace Distrid.Hosting;

/// <summary>A process that uses something under the mountpoint, and how (the first use found).</summary>
internal sealed record MountUser(int Pid, string Command, string Use)
{
    public override string ToString() => $"{Pid} ({Command}: {Use})";
}

/// <summary>
/// Finds processes that use files under a mountpoint, as fuser -m would, from /proc alone: the working directory,
/// the root, open descriptors and mapped files (running programs and their libraries) of every process. readlink
/// and the maps file report paths from the dentry cache; nothing here calls into the FUSE server, so the daemon can
/// scan its own mount. Only for naming them in the log: whether the mount is in use is the kernel's answer (EBUSY),
/// since reading another process's fd, cwd and maps needs CAP_SYS_PTRACE unless it has our uid and no capabilities
/// beyond ours, and the unit grants CAP_SYS_ADMIN only. Processes of other mount namespaces are missed too.
/// </summary>
internal static class MountUsers
{
    /// <summary>At most this many users are reported; the scan stops there.</summary>
    private const int Limit = 16;

    public static IReadOnlyList<MountUser> Find(string mountpoint)
    {
        string root = Path.TrimEndingDirectorySeparator(Path.GetFullPath(mountpoint));
        var users = new List<MountUser>();
        int self = Environment.ProcessId;
        IEnumerable<string> processes;
        try
        {
            processes = Directory.EnumerateDirectories("/proc");
        }
        catch (IOException)
        {
            return users;
        }

        foreach (string dir in processes)
        {
            if (!int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out int pid) || pid == self)
            {
                continue;
            }

            if (FindUse(dir, root) is { } use)
            {
                users.Add(new MountUser(pid, ReadCommand(dir), use));
                if (users.Count == Limit)
                {
                    break;
                }
            }
        }

        return users;
    }

    private static string? FindUse(string dir, string root)
    {
        try
        {
            foreach (string link in new[] { "cwd", "root" })
            {
                if (IsUnder(ReadLink(Path.Combine(dir, link)), root))
                {
                    return link;
                }
            }

            foreach (string fd in Directory.EnumerateFileSystemEntries(Path.Combine(dir, "fd")))
            {
                string? target = ReadLink(fd);
                if (IsUnder(target, root))
                {
                    return "open " + target;
                }
            }

            foreach (string line in File.ReadLines(Path.Combine(dir, "maps")))
            {
                int slash = line.IndexOf('/', StringComparison.Ordinal);
                if (slash >= 0 && IsUnder(line[slash..], root))
                {
                    return "maps " + line[slash..];
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The process exited meanwhile, or it is not ours to read: nothing found.
        }

        return null;
    }

    private static string? ReadLink(string path) => new FileInfo(path).LinkTarget;

    private static bool IsUnder(string? path, string root) =>
        path is not null && path.StartsWith(root, StringComparison.Ordinal) && (path.Length == root.Length || path[root.Length] == '/');

    private static string ReadCommand(string dir)
    {
        try
        {
            return File.ReadAllText(Path.Combine(dir, "comm")).TrimEnd('\n');
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return "?";
        }
    }
}
