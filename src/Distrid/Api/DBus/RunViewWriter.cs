using Distrid.Protocol;
using Tmds.DBus.Protocol;
using static Distrid.Api.DBus.VariantDictionary;

namespace Distrid.Api.DBus;

/// <summary><c>Run</c>'s view as a D-Bus dictionary with the JSON-RPC field names.</summary>
internal static class RunViewWriter
{
    public static void Write(ref MessageWriter writer, RunView view) => Record(ref writer, view, View);

    private static void View(ref MessageWriter writer, RunView view)
    {
        String(ref writer, "id", view.Id);
        String(ref writer, "path", view.Path);
        String(ref writer, "mountpoint", view.Mountpoint);
        Strings(ref writer, "directories", view.Directories);
        Strings(ref writer, "chosen", view.Chosen);
        Strings(ref writer, "replaced", view.Replaced);
        Records(ref writer, "conflicts", view.Conflicts, Conflict);
    }

    private static void Conflict(ref MessageWriter writer, ConflictInfo conflict)
    {
        String(ref writer, "path", conflict.Path);
        String(ref writer, "winner", conflict.Winner);
        Strings(ref writer, "losers", conflict.Losers);
        String(ref writer, "reason", conflict.Reason);
    }
}
