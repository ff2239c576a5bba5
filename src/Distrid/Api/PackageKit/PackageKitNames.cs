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
    public const string ErrorOfflineNoData = "org.freedesktop.PackageKit.Offline.NoData";
    public const string ErrorOfflineFailed = "org.freedesktop.PackageKit.Offline.Failed";

    /// <summary>The data field of our package ids: one origin for every repository (the index is one signed set).</summary>
    public const string Origin = "distri";
    public const string InstalledOrigin = "installed:" + Origin;
}
