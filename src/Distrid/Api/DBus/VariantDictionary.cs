using Tmds.DBus.Protocol;

namespace Distrid.Api.DBus;

/// <summary>
/// The pieces every DTO writer is made of: entries of an a{sv} dictionary (a value the JSON-RPC API leaves out, null,
/// is left out here too) and arrays of such dictionaries, at the top of a reply or as one entry's value.
/// </summary>
internal static class VariantDictionary
{
    /// <summary>Writes one item as an a{sv} dictionary.</summary>
    public delegate void RecordWriter<in T>(ref MessageWriter writer, T item);

    /// <summary>Starts a dictionary entry of an a{sv}; the caller writes the variant value next.</summary>
    public static void Entry(ref MessageWriter writer, string key)
    {
        writer.WriteDictionaryEntryStart();
        writer.WriteString(key);
    }

    public static void String(ref MessageWriter writer, string key, string value)
    {
        Entry(ref writer, key);
        writer.WriteVariantString(value);
    }

    public static void Optional(ref MessageWriter writer, string key, string? value)
    {
        if (value is not null)
        {
            String(ref writer, key, value);
        }
    }

    public static void Bool(ref MessageWriter writer, string key, bool value)
    {
        Entry(ref writer, key);
        writer.WriteVariantBool(value);
    }

    public static void Int32(ref MessageWriter writer, string key, int value)
    {
        Entry(ref writer, key);
        writer.WriteVariantInt32(value);
    }

    public static void Optional(ref MessageWriter writer, string key, int? value)
    {
        if (value is int present)
        {
            Int32(ref writer, key, present);
        }
    }

    public static void Int64(ref MessageWriter writer, string key, long value)
    {
        Entry(ref writer, key);
        writer.WriteVariantInt64(value);
    }

    /// <summary>A point in time as milliseconds since the Unix epoch (x).</summary>
    public static void Milliseconds(ref MessageWriter writer, string key, DateTimeOffset? value)
    {
        if (value is { } present)
        {
            Int64(ref writer, key, present.ToUnixTimeMilliseconds());
        }
    }

    /// <summary>An entry whose value is a variant holding a string array (as).</summary>
    public static void Strings(ref MessageWriter writer, string key, IEnumerable<string> values)
    {
        Entry(ref writer, key);
        writer.WriteSignature("as");
        writer.WriteArray(values);
    }

    /// <summary>A whole reply (or signal argument) that is an array of dictionaries, aa{sv}.</summary>
    public static void Records<T>(ref MessageWriter writer, IEnumerable<T> items, RecordWriter<T> write)
    {
        var array = writer.WriteArrayStart(DBusType.Array);
        foreach (T item in items)
        {
            var dict = writer.WriteDictionaryStart();
            write(ref writer, item);
            writer.WriteDictionaryEnd(dict);
        }

        writer.WriteArrayEnd(array);
    }

    /// <summary>An entry whose value is a variant holding an array of dictionaries (aa{sv}).</summary>
    public static void Records<T>(ref MessageWriter writer, string key, IEnumerable<T> items, RecordWriter<T> write)
    {
        Entry(ref writer, key);
        writer.WriteSignature("aa{sv}");
        Records(ref writer, items, write);
    }

    /// <summary>One dictionary as the whole reply, a{sv}.</summary>
    public static void Record<T>(ref MessageWriter writer, T item, RecordWriter<T> write)
    {
        var dict = writer.WriteDictionaryStart();
        write(ref writer, item);
        writer.WriteDictionaryEnd(dict);
    }
}
