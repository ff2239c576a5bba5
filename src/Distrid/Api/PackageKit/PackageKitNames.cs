namespace Distrid.Api.PackageKit;

/// <summary>The names PackageKit clients know (reference/packagekit/README.md §1, §5).</summary>
internal static class PackageKitNames
{
    public const string BusName = "org.freedesktop.PackageKit";
    public const string DaemonPath = "/org/freedesktop/PackageKit";
    public const string DaemonInterface = "org.freedesktop.PackageKit";
    public const string OfflineInterface = "org.freedesktop.PackageKit.Offline";
    public const string TransactionInterface = "org.freedesktop.PackageKit.Transaction";

    public const string ErrorRefusedByPolicy = "org.freedesktop.PackageKit.Transaction.RefusedByPolicy";
    public const string ErrorNotSupported = "org.freedesktop.PackageKit.Transaction.NotSupported";
    public const string ErrorInvalidState = "org.freedesktop.PackageKit.Transaction.InvalidState";
    public const string ErrorInputInvalid = "org.freedesktop.PackageKit.Transaction.InputInvalid";

    /// <summary>The data field of our package ids: one origin for every repository (the index is one signed set).</summary>
    public const string Origin = "distri";
    public const string InstalledOrigin = "installed:" + Origin;
}

/// <summary>PackageKit's polkit action ids, so that admins' existing rules for PackageKit apply to us.</summary>
internal static class PackageKitActions
{
    private const string Prefix = "org.freedesktop.packagekit.";
    public const string Install = Prefix + "package-install";
    public const string InstallUntrusted = Prefix + "package-install-untrusted";
    public const string Remove = Prefix + "package-remove";
    public const string Update = Prefix + "system-update";
    public const string Refresh = Prefix + "system-sources-refresh";
    public const string SourcesConfigure = Prefix + "system-sources-configure";
}
