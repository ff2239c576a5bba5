using System.Globalization;
using Distrid.Fuse.Interop;

namespace Distrid.Systemd;

/// <summary>
/// The descriptors systemd passed at start (sd_listen_fds_with_names(3)): LISTEN_FDS fds starting at 3, named by
/// LISTEN_FDNAMES (colon-separated), valid only when LISTEN_PID is this process. They come from socket units
/// (the API socket) and from the fd store (the FUSE connection and its restart state, see
/// <see cref="FdStoreNames"/>). Parsing marks every fd close-on-exec and removes the variables, so nothing the
/// daemon starts inherits either.
/// </summary>
public sealed class ListenFds
{
    /// <summary>The first passed descriptor (SD_LISTEN_FDS_START).</summary>
    public const int FirstFd = 3;

    /// <summary>More is not a plausible systemd hand-over, only a broken environment.</summary>
    public const int MaxFds = 4096;

    private readonly List<(int Fd, string Name)> _fds;

    private ListenFds(List<(int Fd, string Name)> fds) => _fds = fds;

    public static ListenFds None { get; } = new([]);

    /// <summary>The descriptors not yet taken, with their names (systemd's "unknown" when unnamed).</summary>
    public IReadOnlyList<(int Fd, string Name)> Remaining => _fds;

    /// <summary>Reads and unsets LISTEN_FDS, LISTEN_PID and LISTEN_FDNAMES of this process.</summary>
    public static ListenFds FromEnvironment()
    {
        var parsed = Parse(
            Environment.GetEnvironmentVariable("LISTEN_FDS"),
            Environment.GetEnvironmentVariable("LISTEN_PID"),
            Environment.GetEnvironmentVariable("LISTEN_FDNAMES"),
            Environment.ProcessId);
        Environment.SetEnvironmentVariable("LISTEN_FDS", null);
        Environment.SetEnvironmentVariable("LISTEN_PID", null);
        Environment.SetEnvironmentVariable("LISTEN_FDNAMES", null);
        foreach (var (fd, _) in parsed._fds)
        {
            FdPassing.SetCloseOnExec(fd);
        }

        return parsed;
    }

    /// <summary>
    /// The pure parsing rule: nothing unless LISTEN_PID is <paramref name="pid"/> and LISTEN_FDS a count in range;
    /// names beyond the count are ignored, missing ones are "unknown" (as in libsystemd).
    /// </summary>
    public static ListenFds Parse(string? listenFds, string? listenPid, string? listenFdNames, int pid)
    {
        if (!int.TryParse(listenPid, NumberStyles.None, CultureInfo.InvariantCulture, out int forPid) || forPid != pid
            || !int.TryParse(listenFds, NumberStyles.None, CultureInfo.InvariantCulture, out int count) || count <= 0 || count > MaxFds)
        {
            return None;
        }

        string[] names = string.IsNullOrEmpty(listenFdNames) ? [] : listenFdNames.Split(':');
        var fds = new List<(int, string)>(count);
        for (int i = 0; i < count; i++)
        {
            fds.Add((FirstFd + i, i < names.Length && names[i].Length > 0 ? names[i] : "unknown"));
        }

        return new ListenFds(fds);
    }

    /// <summary>Takes (removes and returns) the first descriptor named <paramref name="name"/>, or -1.</summary>
    public int Take(string name)
    {
        lock (_fds)
        {
            int index = _fds.FindIndex(f => f.Name == name);
            if (index < 0)
            {
                return -1;
            }

            int fd = _fds[index].Fd;
            _fds.RemoveAt(index);
            return fd;
        }
    }

    /// <summary>Takes the first descriptor whose name is one of <paramref name="names"/>, or -1.</summary>
    public int TakeAny(IEnumerable<string> names)
    {
        foreach (string name in names)
        {
            int fd = Take(name);
            if (fd >= 0)
            {
                return fd;
            }
        }

        return -1;
    }
}
