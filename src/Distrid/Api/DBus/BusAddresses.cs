using Distrid.Api.Authorization;

namespace Distrid.Api.DBus;

/// <summary>Turns <c>--dbus system|session|none|ADDRESS</c> into a bus address, honouring the standard variables.</summary>
internal static class BusAddresses
{
    /// <summary>The system bus: <c>$DBUS_SYSTEM_BUS_ADDRESS</c>, else the standard socket. Polkit lives here.</summary>
    public static string System => SystemBus.Address;

    /// <summary>The address to serve on, or null for <c>none</c> (and for <c>session</c> without a session bus).</summary>
    public static string? Resolve(string option) => option switch
    {
        "none" => null,
        "system" => System,
        "session" => Environment.GetEnvironmentVariable("DBUS_SESSION_BUS_ADDRESS") is { Length: > 0 } session ? session : null,
        _ => option,
    };

    /// <summary>Whether callers on this bus are callers polkit knows by bus name (it listens on the system bus).</summary>
    public static bool IsSystemBus(string option, string address) => option == "system" || address == System;

    /// <summary>True for the well-known choices, whose absence only costs the D-Bus front end; an explicit address is
    /// a deliberate setting, and failing to use it fails the start.</summary>
    public static bool IsOptional(string option) => option is "system" or "session";
}
