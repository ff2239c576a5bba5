using Distrid.Protocol;
using Tmds.DBus.Protocol;
using static Distrid.Api.DBus.DtoWriter;

namespace Distrid.Api.DBus;

/// <summary><c>Run</c>'s view as a D-Bus dictionary with the JSON-RPC field names.</summary>
internal static class RunViewWriter
{
    public static void Write(ref MessageWriter writer, RunView view)
    {
        var dict = writer.WriteDictionaryStart();
        String(ref writer, "id", view.Id);
        String(ref writer, "path", view.Path);
        String(ref writer, "mountpoint", view.Mountpoint);
        Strings(ref writer, "directories", view.Directories);
        Strings(ref writer, "chosen", view.Chosen);
        Strings(ref writer, "replaced", view.Replaced);
        Entry(ref writer, "conflicts");
        writer.WriteSignature("aa{sv}");
        var array = writer.WriteArrayStart(DBusType.Array);
        foreach (var conflict in view.Conflicts)
        {
            var entry = writer.WriteDictionaryStart();
            String(ref writer, "path", conflict.Path);
            String(ref writer, "winner", conflict.Winner);
            Strings(ref writer, "losers", conflict.Losers);
            String(ref writer, "reason", conflict.Reason);
            writer.WriteDictionaryEnd(entry);
        }

        writer.WriteArrayEnd(array);
        writer.WriteDictionaryEnd(dict);
    }
}
