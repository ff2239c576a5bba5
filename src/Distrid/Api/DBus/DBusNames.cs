namespace Distrid.Api.DBus;

/// <summary>The names the D-Bus API is known by (DESIGN.md, docs/API.md).</summary>
internal static class DBusNames
{
    public const string BusName = "org.distrid.Distrid1";
    public const string ManagerPath = "/org/distrid/Distrid1";
    public const string ManagerInterface = "org.distrid.Distrid1.Manager";
    public const string TransactionPathPrefix = "/org/distrid/Distrid1/Transaction/";
    public const string TransactionInterface = "org.distrid.Distrid1.Transaction";
    public const string PropertiesInterface = "org.freedesktop.DBus.Properties";
    public const string IntrospectableInterface = "org.freedesktop.DBus.Introspectable";
}
