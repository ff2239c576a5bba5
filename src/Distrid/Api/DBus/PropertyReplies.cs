using Tmds.DBus.Protocol;

namespace Distrid.Api.DBus;

/// <summary>
/// Answers org.freedesktop.DBus.Properties Get and GetAll for an object whose interface was already resolved to its
/// property names: GetAll writes every one, Get the one asked for, an unknown name gets UnknownProperty.
/// </summary>
internal static class PropertyReplies
{
    /// <summary>Writes one property's value as a variant.</summary>
    public delegate void PropertyWriter(ref MessageWriter writer, string name);

    /// <summary><paramref name="reader"/> stands after the interface argument.</summary>
    public static void GetOrGetAll(MethodContext call, string member, ref Reader reader, string[] names, PropertyWriter write)
    {
        if (member == "GetAll")
        {
            MethodReplies.Reply(call, "a{sv}", (ref MessageWriter writer) =>
            {
                var dict = writer.WriteDictionaryStart();
                foreach (string name in names)
                {
                    VariantDictionary.Entry(ref writer, name);
                    write(ref writer, name);
                }

                writer.WriteDictionaryEnd(dict);
            });
            return;
        }

        string property = reader.ReadString();
        if (Array.IndexOf(names, property) < 0)
        {
            call.ReplyError(DBusErrors.UnknownProperty, $"no property {property}");
            return;
        }

        MethodReplies.Reply(call, "v", (ref MessageWriter writer) => write(ref writer, property));
    }
}
