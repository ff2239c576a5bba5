using Distrid.AppStream;
using Distrid.Tests.Support;

namespace Distrid.Tests.AppStream;

/// <summary>
/// A private system bus with real polkitd, a signed mirror on nginx whose packages include a real small application
/// with metainfo, desktop file and icons, and one <c>distrid --packagekit</c> that installs the mirror's AppStream
/// catalog into its own software catalog directory (a temporary one, never /var/cache/swcatalog).
/// </summary>
public sealed class AppStreamFixture : IDisposable
{
    public const string AppStreamCli = "/usr/bin/appstreamcli";

    private static readonly string[] Needs = [.. PrivateSystemBus.Needs, NginxFixture.NginxPath, PackageKit.PackageKitFixture.Pkcon, AppStreamCli, "/usr/bin/unshare"];

    public AppStreamFixture()
    {
        // A fixture must not skip (that would fail every test of the class); the tests skip through Ready().
        if (Requirements.Missing(needsRoot: true, Needs).Count > 0)
        {
            return;
        }

        StartAsync().GetAwaiter().GetResult();
    }

    public PrivateSystemBus? Bus { get; private set; }

    public MirroredSystem? System { get; private set; }

    /// <summary>The origin our daemon installs this mirror's catalog under.</summary>
    public string Origin => CatalogOrigin.For(System!.Mirror.Url);

    public string InstalledCatalog => Path.Combine(System!.Paths.SoftwareCatalog, "xml", Origin + ".xml.gz");

    public static bool Ready(params string[] more) => Requirements.RootWith([.. Needs, .. more]);

    private async Task StartAsync()
    {
        Bus = await PrivateSystemBus.TryStartAsync();
        if (Bus is null)
        {
            return;
        }

        System = MirroredSystem.TryCreate(mirror =>
        {
            string pkg = Path.Combine(mirror.Repository, "pkg");
            TestApps.Pack(pkg, TestApps.AppFullName, TestApps.WriteApp, mirror.Root);
            mirror.Add("asplain-amd64-1.0-1", new Dictionary<string, string> { ["bin/asplain"] = PackageFactory.Script("plain") });
        }) ?? throw new InvalidOperationException("the bus started, so the mirror's requirements are there too");

        // polkitd, nobody and GNOME Software's helpers must reach the daemon's directories.
        foreach (var dir in new[] { Path.GetDirectoryName(System.Paths.Root)!, System.Paths.Root })
        {
            File.SetUnixFileMode(dir, (UnixFileMode)0b111_101_101);
        }

        System.Paths.DBus = Bus.Address;
        await System.StartDaemonAsync(Bus.Environment, "--packagekit");
    }

    /// <summary>
    /// Runs <paramref name="script"/> (sh) in a private mount namespace where /var/cache is a fresh tmpfs and
    /// /var/cache/swcatalog is the daemon's catalog directory: software centers read it where libappstream always looks,
    /// and the machine's own /var/cache/swcatalog is neither read nor written. The script's $1... are <paramref name="scriptArguments"/>.
    /// </summary>
    public static IEnumerable<string> InCatalogNamespace(string softwareCatalog, string script, bool isolateNetwork, params string[] scriptArguments) =>
        ["-m", .. (isolateNetwork ? new[] { "-n" } : []), "--propagation", "private", "sh", "-c",
         "mount -t tmpfs tmpfs /var/cache && mkdir /var/cache/swcatalog && mount --bind \"$0\" /var/cache/swcatalog && " + script,
         softwareCatalog, .. scriptArguments];

    public void Dispose()
    {
        if (System is not null)
        {
            System.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }

        if (Bus is not null)
        {
            Bus.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
    }
}
