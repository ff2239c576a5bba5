using Distrid.Api.DBus;
using Tmds.DBus.Protocol;

namespace Distrid.Api.PackageKit;

/// <summary>Sends a signal from the connection that owns org.freedesktop.PackageKit (clients match on that sender).</summary>
internal static class Signals
{
    public static void Emit(DBusConnection connection, string path, string @interface, string member, string? signature, MethodReplies.BodyWriter body)
    {
        var writer = connection.GetMessageWriter();
        try
        {
            writer.WriteSignalHeader(path: path, @interface: @interface, member: member, signature: signature);
            body(ref writer);
            connection.TrySendMessage(writer.CreateMessage());
        }
        finally
        {
            writer.Dispose();
        }
    }

    /// <summary>org.freedesktop.DBus.Properties.PropertiesChanged for <paramref name="names"/>, values written by <paramref name="value"/>.</summary>
    public static void PropertiesChanged(DBusConnection connection, string path, string @interface, IReadOnlyList<string> names, PropertyWriter value) =>
        Emit(connection, path, DBusNames.PropertiesInterface, "PropertiesChanged", "sa{sv}as", (ref MessageWriter writer) =>
        {
            writer.WriteString(@interface);
            var dict = writer.WriteDictionaryStart();
            foreach (string name in names)
            {
                VariantDictionary.Entry(ref writer, name);
                value(ref writer, name);
            }

            writer.WriteDictionaryEnd(dict);
            writer.WriteArray(Array.Empty<string>());
        });

    public delegate void PropertyWriter(ref MessageWriter writer, string name);
}
