using Tmds.DBus.Protocol;

namespace Distrid.Api.DBus;

/// <summary>
/// Answers org.freedesktop.DBus.Properties on an object whose properties are all read-only: Set is refused, Get and
/// GetAll of an interface the object has are answered from its property names (GetAll writes every one, Get the one
/// asked for, an unknown name gets UnknownProperty).
/// </summary>
internal static class PropertyReplies
{
    /// <summary>Writes one property's value as a variant.</summary>
    public delegate void PropertyWriter(ref MessageWriter writer, string name);

    /// <summary>
    /// Set is refused with <paramref name="readOnly"/>; another member or signature is left unanswered (UnknownMethod);
    /// an interface for which <paramref name="resolve"/> gives null is UnknownInterface; Get and GetAll are answered.
    /// </summary>
    public static void ReadOnly(MethodContext call, string readOnly, Func<string, (string[] Names, PropertyWriter Write)?> resolve)
    {
        var request = call.Request;
        string member = request.MemberAsString ?? "";
        string signature = request.SignatureAsString ?? "";
        if (member == "Set")
        {
            call.ReplyError(DBusErrors.PropertyReadOnly, readOnly);
            return;
        }

        if (!(member == "GetAll" && signature == "s") && !(member == "Get" && signature == "ss"))
        {
            return; // UnknownMethod
        }

        var reader = request.GetBodyReader();
        string @interface = reader.ReadString();
        if (resolve(@interface) is not { } properties)
        {
            call.ReplyError(DBusErrors.UnknownInterface, $"no interface {@interface} here");
            return;
        }

        GetOrGetAll(call, member, ref reader, properties.Names, properties.Write);
    }

    /// <summary><paramref name="reader"/> stands after the interface argument.</summary>
    private static void GetOrGetAll(MethodContext call, string member, ref Reader reader, string[] names, PropertyWriter write)
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
