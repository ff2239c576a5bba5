namespace Distrid.Api.Authorization;

/// <summary>Where the system bus is (polkit listens there): <c>$DBUS_SYSTEM_BUS_ADDRESS</c>, else the standard
/// socket. Here rather than in DBus/ because the authorizer needs it whichever front end asks.</summary>
internal static class SystemBus
{
    public const string DefaultAddress = "unix:path=/run/dbus/system_bus_socket";

    public static string Address =>
        Environment.GetEnvironmentVariable("DBUS_SYSTEM_BUS_ADDRESS") is { Length: > 0 } address ? address : DefaultAddress;
}
