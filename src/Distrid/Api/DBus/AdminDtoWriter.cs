using Distrid.Protocol;
using Tmds.DBus.Protocol;
using static Distrid.Api.DBus.VariantDictionary;

namespace Distrid.Api.DBus;

/// <summary>
/// The admin queries' results (files, owns, why, history, diff, verify) as D-Bus dictionaries with the JSON-RPC field
/// names; a field JSON-RPC leaves out (null) is left out here too.
/// </summary>
internal static class AdminDtoWriter
{
    public static void WriteFiles(ref MessageWriter writer, PackageFiles files) => Record(ref writer, files, Files);

    public static void WriteOwner(ref MessageWriter writer, OwnerInfo owner) => Record(ref writer, owner, Owner);

    public static void WriteWhy(ref MessageWriter writer, WhyResult why) => Record(ref writer, why, Why);

    public static void WriteHistory(ref MessageWriter writer, IReadOnlyList<HistoryEntry> entries) =>
        Records(ref writer, entries, History);

    public static void WriteDiff(ref MessageWriter writer, GenerationDiff diff) => Record(ref writer, diff, Diff);

    public static void WriteVerify(ref MessageWriter writer, IReadOnlyList<VerifyInfo> results) =>
        Records(ref writer, results, Verify);

    private static void Files(ref MessageWriter writer, PackageFiles files)
    {
        String(ref writer, "fullName", files.FullName);
        String(ref writer, "root", files.Root);
        Bool(ref writer, "installed", files.Installed);
        Records(ref writer, "files", files.Files, File);
    }

    private static void File(ref MessageWriter writer, PackageFile file)
    {
        String(ref writer, "path", file.Path);
        String(ref writer, "kind", file.Kind);
        Int64(ref writer, "size", file.Size);
        Optional(ref writer, "target", file.Target);
        Optional(ref writer, "exchange", file.Exchange);
    }

    private static void Owner(ref MessageWriter writer, OwnerInfo owner)
    {
        String(ref writer, "path", owner.Path);
        Optional(ref writer, "owner", owner.Owner);
        Optional(ref writer, "packagePath", owner.PackagePath);
        Bool(ref writer, "exchange", owner.Exchange);
        Strings(ref writer, "providers", owner.Providers);
        Strings(ref writer, "losers", owner.Losers);
        Optional(ref writer, "reason", owner.Reason);
    }

    private static void Why(ref MessageWriter writer, WhyResult why)
    {
        String(ref writer, "fullName", why.FullName);
        Bool(ref writer, "explicit", why.Explicit);
        Entry(ref writer, "chains");
        writer.WriteSignature("aas");
        var chains = writer.WriteArrayStart(DBusType.Array);
        foreach (var chain in why.Chains)
        {
            writer.WriteArray(chain);
        }

        writer.WriteArrayEnd(chains);
    }

    private static void History(ref MessageWriter writer, HistoryEntry e)
    {
        String(ref writer, "transaction", e.Transaction);
        Milliseconds(ref writer, "started", e.Started);
        Milliseconds(ref writer, "finished", e.Finished);
        if (e.DurationSeconds is double seconds)
        {
            Entry(ref writer, "durationSeconds");
            writer.WriteVariantDouble(seconds);
        }

        String(ref writer, "description", e.Description);
        Optional(ref writer, "caller", e.Caller);
        if (e.Uid is uint uid)
        {
            Entry(ref writer, "uid");
            writer.WriteVariantUInt32(uid);
        }

        Optional(ref writer, "via", e.Via);
        String(ref writer, "result", e.Result);
        Optional(ref writer, "error", e.Error);
        Optional(ref writer, "previousGeneration", e.PreviousGeneration);
        Optional(ref writer, "generation", e.Generation);
    }

    private static void Diff(ref MessageWriter writer, GenerationDiff diff)
    {
        Int32(ref writer, "from", diff.From);
        Int32(ref writer, "to", diff.To);
        Strings(ref writer, "added", diff.Added);
        Strings(ref writer, "removed", diff.Removed);
        Changes(ref writer, "upgraded", diff.Upgraded);
        Changes(ref writer, "downgraded", diff.Downgraded);
    }

    private static void Verify(ref MessageWriter writer, VerifyInfo r)
    {
        String(ref writer, "fullName", r.FullName);
        Bool(ref writer, "ok", r.Ok);
        Bool(ref writer, "installed", r.Installed);
        Optional(ref writer, "problem", r.Problem);
        Optional(ref writer, "fix", r.Fix);
    }

    /// <summary>name-arch, from and to of each change, as aa{ss}.</summary>
    private static void Changes(ref MessageWriter writer, string key, IReadOnlyList<PackageChange> changes)
    {
        Entry(ref writer, key);
        writer.WriteSignature("aa{ss}");
        var array = writer.WriteArrayStart(DBusType.Array);
        foreach (var change in changes)
        {
            var dict = writer.WriteDictionaryStart();
            foreach (var (name, value) in new[] { ("name", change.Name), ("from", change.From), ("to", change.To) })
            {
                writer.WriteDictionaryEntryStart();
                writer.WriteString(name);
                writer.WriteString(value);
            }

            writer.WriteDictionaryEnd(dict);
        }

        writer.WriteArrayEnd(array);
    }
}
