using Distrid.Protocol;
using Tmds.DBus.Protocol;

namespace Distrid.Api.DBus;

/// <summary>
/// Writes the contract's DTOs as D-Bus dictionaries (a{sv}) with the same field names as the JSON-RPC API, so one
/// document (docs/API.md) describes both.
/// </summary>
internal static class DtoWriter
{
    public static void WriteStatus(ref MessageWriter writer, StatusResult status)
    {
        var dict = writer.WriteDictionaryStart();
        String(ref writer, "version", status.Version);
        String(ref writer, "mountpoint", status.Mountpoint);
        Bool(ref writer, "mounted", status.Mounted);
        String(ref writer, "store", status.Store);
        Int32(ref writer, "packageCount", status.PackageCount);
        Int64(ref writer, "storeBytes", status.StoreBytes);
        Int32(ref writer, "generation", status.Generation);
        if (status.Transaction is { } transaction)
        {
            String(ref writer, "transaction", transaction);
            String(ref writer, "transactionStartedBy", status.TransactionStartedBy ?? "");
            Bool(ref writer, "transactionDetached", status.TransactionDetached);
        }

        Strings(ref writer, "conflicts", status.Conflicts.Select(c => $"{c.Path}: {c.Winner} over {string.Join(", ", c.Losers)}"));
        Strings(ref writer, "brokenImages", status.BrokenImages.Select(b => $"{b.FullName}: {b.Error}"));
        writer.WriteDictionaryEnd(dict);
    }

    public static void WritePackages(ref MessageWriter writer, IReadOnlyList<PackageInfo> packages)
    {
        var array = writer.WriteArrayStart(DBusType.Array);
        foreach (var p in packages)
        {
            WritePackage(ref writer, p);
        }

        writer.WriteArrayEnd(array);
    }

    public static void WritePackage(ref MessageWriter writer, PackageInfo p)
    {
        var dict = writer.WriteDictionaryStart();
        String(ref writer, "fullName", p.FullName);
        String(ref writer, "name", p.Name);
        String(ref writer, "arch", p.Arch);
        String(ref writer, "version", p.Version);
        Int32(ref writer, "revision", p.Revision);
        String(ref writer, "summary", p.Summary);
        Int64(ref writer, "size", p.Size);
        Strings(ref writer, "dependencies", p.Dependencies);
        Bool(ref writer, "installed", p.Installed);
        Bool(ref writer, "inStore", p.InStore);
        writer.WriteDictionaryEnd(dict);
    }

    public static void WriteGenerations(ref MessageWriter writer, IReadOnlyList<GenerationInfo> generations)
    {
        var array = writer.WriteArrayStart(DBusType.Array);
        foreach (var g in generations)
        {
            var dict = writer.WriteDictionaryStart();
            Int32(ref writer, "number", g.Number);
            Bool(ref writer, "current", g.Current);
            Int64(ref writer, "created", g.Created.ToUnixTimeSeconds());
            String(ref writer, "description", g.Description);
            Strings(ref writer, "packages", g.Packages);
            Entry(ref writer, "pins");
            writer.WriteSignature("a{ss}");
            var pins = writer.WriteDictionaryStart();
            foreach (var (name, fullName) in g.Pins)
            {
                writer.WriteDictionaryEntryStart();
                writer.WriteString(name);
                writer.WriteString(fullName);
            }

            writer.WriteDictionaryEnd(pins);
            writer.WriteDictionaryEnd(dict);
        }

        writer.WriteArrayEnd(array);
    }

    /// <summary>Starts a dictionary entry of an a{sv}; the caller writes the variant value next.</summary>
    public static void Entry(ref MessageWriter writer, string key)
    {
        writer.WriteDictionaryEntryStart();
        writer.WriteString(key);
    }

    internal static void String(ref MessageWriter writer, string key, string value)
    {
        Entry(ref writer, key);
        writer.WriteVariantString(value);
    }

    internal static void Bool(ref MessageWriter writer, string key, bool value)
    {
        Entry(ref writer, key);
        writer.WriteVariantBool(value);
    }

    internal static void Int32(ref MessageWriter writer, string key, int value)
    {
        Entry(ref writer, key);
        writer.WriteVariantInt32(value);
    }

    internal static void Int64(ref MessageWriter writer, string key, long value)
    {
        Entry(ref writer, key);
        writer.WriteVariantInt64(value);
    }

    /// <summary>An entry whose value is a variant holding a string array (as).</summary>
    internal static void Strings(ref MessageWriter writer, string key, IEnumerable<string> values)
    {
        Entry(ref writer, key);
        writer.WriteSignature("as");
        writer.WriteArray(values);
    }
}
