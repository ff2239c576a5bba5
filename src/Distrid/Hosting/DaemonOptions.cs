using Distrid.Transactions.Scheduled;

namespace Distrid.Hosting;

/// <summary>
/// Everything the daemon is configured with. Defaults, then the JSON config file, then command-line flags
/// (DESIGN.md fixes the names and defaults).
/// </summary>
public sealed record DaemonOptions
{
    public const string DefaultConfigPath = "/etc/distri/distrid.json";

    public string Store { get; init; } = "/roimg";
    public string State { get; init; } = "/var/lib/distrid";
    public string Mountpoint { get; init; } = "/ro";
    public string Socket { get; init; } = "/run/distrid/distrid.sock";
    public IReadOnlyList<string> Repos { get; init; } = [];

    /// <summary>Repositories kept in the config file but not consulted (<c>districtl repo disable</c>).</summary>
    public IReadOnlyList<string> DisabledRepos { get; init; } = [];

    /// <summary>The config file read at start, where <c>districtl repo</c> changes are written.</summary>
    public string ConfigPath { get; init; } = DefaultConfigPath;

    /// <summary><c>--repo</c> was given: it overrides the config file's repositories, which then cannot be changed at run time.</summary>
    public bool ReposFromCommandLine { get; init; }
    public string TrustedKeys { get; init; } = "/etc/distri/trusted.d";

    /// <summary><c>system</c>, <c>session</c>, <c>none</c> or a D-Bus address. An unreachable system or session bus
    /// costs only the D-Bus front end (a warning); an explicit address that fails fails the start.</summary>
    public string DBus { get; init; } = "system";

    /// <summary>Also serve org.freedesktop.PackageKit on that bus, so PackageKit clients (pkcon, GNOME Software) drive us.</summary>
    public bool PackageKit { get; init; }

    /// <summary>Where the repositories' AppStream catalogs are installed for software centers (libappstream reads
    /// <c>/var/cache/swcatalog</c>); <c>none</c> installs none (config file: <c>swcatalog</c>).</summary>
    public string SoftwareCatalog { get; init; } = DefaultSoftwareCatalog;

    public const string DefaultSoftwareCatalog = "/var/cache/swcatalog";

    /// <summary>PackageKit's state directory, where its clients read the offline-update files (prepared-update, results).</summary>
    public string PackageKitState { get; init; } = "/var/lib/PackageKit";

    /// <summary>How many images stay open at once; others are reopened on demand.</summary>
    public int MaxOpenImages { get; init; } = 512;

    /// <summary>Bytes of decompressed SquashFS blocks kept per open image.</summary>
    public long BlockCacheBytesPerImage { get; init; } = 32L << 20;

    /// <summary>Threads reading FUSE requests (each on its own cloned /dev/fuse fd).</summary>
    public int FuseThreads { get; init; } = Math.Max(2, Environment.ProcessorCount);

    /// <summary>
    /// FUSE over io_uring when the kernel offers it (fuse.enable_uring=Y; config file: <c>fuseIoUring</c>). Off by
    /// default (it did not win clearly, docs/PERFORMANCE.md). When on, the connection is not kept in systemd's fd store,
    /// because ring entries cannot be handed to a successor: a restart remounts /ro.
    /// </summary>
    public bool FuseIoUring { get; init; }

    /// <summary>
    /// FUSE passthrough from a cache of decompressed files (config file: <c>fusePassthrough</c>; Linux 6.9+, as root):
    /// /ro files at least <see cref="PassthroughMinFileBytes"/> long that were read are copied, in the background,
    /// into <c>{State}/passthrough-cache</c>, and later opens of them are read and mapped by the kernel from that copy
    /// (a cold start then costs what ext4 costs). Off by default: every open of a /ro file then costs an OPEN round
    /// trip, and, like io_uring, the connection is not kept in systemd's fd store (a restart remounts /ro).
    /// </summary>
    public bool FusePassthrough { get; init; }

    /// <summary>The passthrough cache's size cap in bytes (config file: <c>passthroughCacheBytes</c>); least recently used files go first.</summary>
    public long PassthroughCacheBytes { get; init; } = 2L << 30;

    /// <summary>Smallest file the passthrough cache takes (config file: <c>passthroughMinFileBytes</c>).</summary>
    public long PassthroughMinFileBytes { get; init; } = 4096;

    /// <summary>The most packages downloaded at once; see RepositoryClientOptions.DownloadParallelism.</summary>
    public int DownloadParallelism { get; init; } = 16;

    /// <summary>Bytes per second a mirror must deliver over <see cref="TransferRateWindow"/> (0: no minimum); see RepositoryClientOptions.</summary>
    public long MinimumTransferRate { get; init; } = 1024;

    /// <summary>The sliding window of <see cref="MinimumTransferRate"/> (config file: <c>transferRateWindowSeconds</c>).</summary>
    public TimeSpan TransferRateWindow { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>What distrid-update.service's runs may do (config file: <c>scheduledUpdate</c>; no flag).</summary>
    public ScheduledUpdatePolicy ScheduledUpdate { get; init; } = ScheduledUpdatePolicy.Default;
}
