using Distrid.Api.Authorization;
using Tmds.DBus.Protocol;

namespace Distrid.Api.DBus;

/// <summary>
/// Who a D-Bus caller is, asked of the bus daemon (which learned it from the kernel when the caller connected).
/// On the system bus polkit knows the caller by its unique name; on any other bus it must be named as a process.
/// </summary>
internal sealed class BusCallers(DBusConnection connection, bool systemBus)
{
    public async Task<CallerIdentity> ResolveAsync(string uniqueName, bool allowInteraction)
    {
        uint uid = await CallAsync("GetConnectionUnixUser", uniqueName);
        if (systemBus)
        {
            return CallerIdentity.ForBusName(uniqueName, uid, allowInteraction);
        }

        int pid = (int)await CallAsync("GetConnectionUnixProcessID", uniqueName);
        return CallerIdentity.ForProcess(new UnixProcess(pid, ProcStat.ReadStartTime(pid), uid)) with { AllowInteraction = allowInteraction };
    }

    private Task<uint> CallAsync(string member, string name)
    {
        var writer = connection.GetMessageWriter();
        MessageBuffer message;
        try
        {
            writer.WriteMethodCallHeader("org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus", member, "s");
            writer.WriteString(name);
            message = writer.CreateMessage();
        }
        finally
        {
            writer.Dispose();
        }

        return connection.CallMethodAsync(message, static (m, _) => m.GetBodyReader().ReadUInt32());
    }
}
