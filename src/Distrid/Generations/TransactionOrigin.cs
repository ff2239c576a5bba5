namespace Distrid.Generations;

/// <summary>
/// Who started a transaction, as the journal keeps it for <c>history</c>: the caller as the front end identified it
/// (never as the request claimed), its uid when known, and how the request came (<see cref="Socket"/>,
/// <see cref="DBus"/>, <see cref="Timer"/>, or <see cref="Daemon"/> for the daemon's own work).
/// </summary>
public sealed record TransactionOrigin(string Caller, uint? Uid, string Via)
{
    public const string Socket = "socket";
    public const string DBus = "dbus";
    public const string Timer = "timer";
    public const string Daemon = "daemon";

    public static TransactionOrigin Internal(string caller) => new(caller, null, Daemon);
}
