namespace Distrid.Api.DBus;

/// <summary>Error names of failed method calls. Refusals inside a started transaction are ErrorCode signals instead.</summary>
internal static class DBusErrors
{
    public const string AccessDenied = "org.freedesktop.DBus.Error.AccessDenied";
    public const string InteractiveAuthorizationRequired = "org.freedesktop.DBus.Error.InteractiveAuthorizationRequired";
    public const string InvalidArgs = "org.freedesktop.DBus.Error.InvalidArgs";
    public const string UnknownMethod = "org.freedesktop.DBus.Error.UnknownMethod";
    public const string UnknownInterface = "org.freedesktop.DBus.Error.UnknownInterface";
    public const string UnknownProperty = "org.freedesktop.DBus.Error.UnknownProperty";
    public const string PropertyReadOnly = "org.freedesktop.DBus.Error.PropertyReadOnly";
    public const string Failed = "org.freedesktop.DBus.Error.Failed";

    /// <summary>Start on a started transaction, Cancel on a finished or committing one.</summary>
    public const string WrongState = "org.distrid.Distrid1.Error.WrongState";

    /// <summary>A query failed for a reason of the daemon's (e.g. the mirror's index cannot be fetched).</summary>
    public const string QueryFailed = "org.distrid.Distrid1.Error.Failed";
}
