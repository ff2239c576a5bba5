namespace Distrid.Api.PackageKit;

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
    public const string Reinstall = Prefix + "package-reinstall";
    public const string TriggerOffline = Prefix + "trigger-offline-update";
    public const string ClearOffline = Prefix + "clear-offline-update";
}
