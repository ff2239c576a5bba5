using Distrid.Protocol;
using Tmds.DBus.Protocol;
using static Distrid.Api.DBus.VariantDictionary;

namespace Distrid.Api.DBus;

/// <summary>
/// Writes the contract's DTOs as D-Bus dictionaries (a{sv}) with the same field names as the JSON-RPC API, so one
/// document (docs/API.md) describes both.
/// </summary>
internal static class DtoWriter
{
    public static void WriteStatus(ref MessageWriter writer, StatusResult status) => Record(ref writer, status, Status);

    public static void WritePackages(ref MessageWriter writer, IReadOnlyList<PackageInfo> packages) =>
        Records(ref writer, packages, Package);

    public static void WritePackage(ref MessageWriter writer, PackageInfo package) => Record(ref writer, package, Package);

    public static void WriteGenerations(ref MessageWriter writer, IReadOnlyList<GenerationInfo> generations) =>
        Records(ref writer, generations, Generation);

    private static void Status(ref MessageWriter writer, StatusResult status)
    {
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
    }

    private static void Package(ref MessageWriter writer, PackageInfo p)
    {
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
    }

    private static void Generation(ref MessageWriter writer, GenerationInfo g)
    {
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
    }
}
