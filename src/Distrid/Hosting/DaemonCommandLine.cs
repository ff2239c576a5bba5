using System.CommandLine;

namespace Distrid.Hosting;

/// <summary>
/// Parses <c>distrid [--config FILE] [--store DIR] ...</c> (DESIGN.md) into <see cref="DaemonOptions"/>:
/// defaults, then the config file (missing default file is fine, a missing explicit one is an error), then flags.
/// </summary>
internal static class DaemonCommandLine
{
    private static readonly Option<string?> ConfigOption = new("--config") { Description = "JSON config file (default " + DaemonOptions.DefaultConfigPath + ")" };
    private static readonly Option<string?> StoreOption = new("--store") { Description = "image store directory (default /roimg)" };
    private static readonly Option<string?> StateOption = new("--state") { Description = "state directory (default /var/lib/distrid)" };
    private static readonly Option<string?> MountpointOption = new("--mountpoint") { Description = "where /ro is mounted (default /ro)" };
    private static readonly Option<string?> SocketOption = new("--socket") { Description = "JSON-RPC socket (default /run/distrid/distrid.sock)" };
    private static readonly Option<string[]> RepoOption = new("--repo") { Description = "repository base URL (repeatable); overrides the config file's repositories" };
    private static readonly Option<string?> TrustedKeysOption = new("--trusted-keys") { Description = "directory of trusted *.pub keys" };
    private static readonly Option<string?> DBusOption = new("--dbus") { Description = "bus to serve org.distrid.Distrid1 on: system (default), session, none or a D-Bus address" };

    private static readonly Option<bool> PackageKitOption = new("--packagekit") { Description = "also serve org.freedesktop.PackageKit on that bus" };
    private static readonly Option<string?> SoftwareCatalogOption = new("--swcatalog") { Description = "where to install the repositories' AppStream catalogs (default " + DaemonOptions.DefaultSoftwareCatalog + "), or none" };
    private static readonly Option<string?> PackageKitStateOption = new("--packagekit-state") { Description = "PackageKit's offline-update files (default /var/lib/PackageKit)" };

    public static RootCommand CreateCommand() =>
    [
        ConfigOption, StoreOption, StateOption, MountpointOption, SocketOption, RepoOption, TrustedKeysOption, DBusOption, PackageKitOption,
        SoftwareCatalogOption,
        PackageKitStateOption,
    ];

    /// <summary>Turns a successful parse into options; throws with a one-line message on a bad config file.</summary>
    public static DaemonOptions Resolve(ParseResult parse)
    {
        var options = new DaemonOptions();
        string? configPath = parse.GetValue(ConfigOption);
        if (configPath is not null)
        {
            if (!File.Exists(configPath))
            {
                throw new FileNotFoundException($"config file {configPath} does not exist");
            }

            options = DaemonConfigFile.Load(configPath).ApplyTo(options);
        }
        else if (File.Exists(DaemonOptions.DefaultConfigPath))
        {
            options = DaemonConfigFile.Load(DaemonOptions.DefaultConfigPath).ApplyTo(options);
        }

        string[] repos = parse.GetValue(RepoOption) ?? [];
        return options with
        {
            Store = Full(parse.GetValue(StoreOption) ?? options.Store),
            State = Full(parse.GetValue(StateOption) ?? options.State),
            Mountpoint = Full(parse.GetValue(MountpointOption) ?? options.Mountpoint),
            Socket = Full(parse.GetValue(SocketOption) ?? options.Socket),
            Repos = repos.Length > 0 ? repos : options.Repos,
            DisabledRepos = repos.Length > 0 ? [] : options.DisabledRepos,
            ReposFromCommandLine = repos.Length > 0,
            ConfigPath = Full(configPath ?? DaemonOptions.DefaultConfigPath),
            TrustedKeys = Full(parse.GetValue(TrustedKeysOption) ?? options.TrustedKeys),
            DBus = parse.GetValue(DBusOption) ?? options.DBus,
            PackageKit = parse.GetValue(PackageKitOption) || options.PackageKit,
            SoftwareCatalog = parse.GetValue(SoftwareCatalogOption) is { } catalog ? NoneOrFull(catalog) : NoneOrFull(options.SoftwareCatalog),
            PackageKitState = Full(parse.GetValue(PackageKitStateOption) ?? options.PackageKitState),
        };
    }

    private static string Full(string path) => Path.GetFullPath(path);

    private static string NoneOrFull(string path) => path == "none" ? path : Full(path);
}
