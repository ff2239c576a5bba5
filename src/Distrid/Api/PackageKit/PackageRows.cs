using Distrid.Protocol;
using Distrid.Transactions;

namespace Distrid.Api.PackageKit;

/// <summary>One row a PackageKit client sees: a package and its id.</summary>
internal sealed record PackageRow(PackageInfo Package, string Id)
{
    public bool Installed => Package.Installed;
}

/// <summary>
/// The packages as PackageKit clients expect them (reference §8): ids <c>name;version-revision;arch;data</c> built
/// from the index fields, one installed row per name and arch (its newest installed revision), and the newest
/// available revision only when it is newer. Ids are mapped back by lookup in <see cref="ById"/>, never parsed.
/// </summary>
internal sealed class PackageRows
{
    private readonly Dictionary<string, PackageInfo> _byId = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _idByFullName = new(StringComparer.Ordinal);

    public PackageRows(IReadOnlyList<PackageInfo> packages)
    {
        foreach (var package in packages)
        {
            string id = IdOf(package, package.Installed);
            _idByFullName[package.FullName] = id;
            _byId[id] = package;
            // GNOME Software strips "installed:" from the data field; the plain id must still find the package.
            _byId.TryAdd(IdOf(package, installed: false), package);
        }

        Rows = [.. packages
            .GroupBy(p => (p.Name, p.Arch))
            .SelectMany(RowsOf)
            .OrderBy(r => r.Package.Name, StringComparer.Ordinal)
            .ThenBy(r => r.Package.Arch, StringComparer.Ordinal)
            .ThenBy(r => r.Installed ? 0 : 1)];
    }

    public IReadOnlyList<PackageRow> Rows { get; }

    public PackageInfo? ById(string id) => _byId.GetValueOrDefault(id);

    /// <summary>The id of a full name the lists know (as it was before a change), else null.</summary>
    public string? IdOf(string fullName) => _idByFullName.GetValueOrDefault(fullName);

    public PackageInfo? ByFullName(string fullName) =>
        _idByFullName.TryGetValue(fullName, out string? id) ? _byId[id] : null;

    /// <summary>Updates: the newest available row of every name and arch that has an installed row.</summary>
    public IEnumerable<PackageRow> Updates() =>
        Rows.Where(r => !r.Installed && Rows.Any(i => i.Installed && i.Package.Name == r.Package.Name && i.Package.Arch == r.Package.Arch));

    /// <summary>The installed row an update replaces.</summary>
    public PackageRow? InstalledRowOf(PackageInfo package) =>
        Rows.FirstOrDefault(r => r.Installed && r.Package.Name == package.Name && r.Package.Arch == package.Arch);

    public static IEnumerable<PackageRow> Filter(IEnumerable<PackageRow> rows, ulong filter)
    {
        if (PkFilter.Has(filter, PkFilter.Source))
        {
            return []; // no source packages here
        }

        string native = PackageCatalog.NativeArch;
        return rows.Where(r =>
            !(PkFilter.Has(filter, PkFilter.Installed) && !r.Installed)
            && !(PkFilter.Has(filter, PkFilter.NotInstalled) && r.Installed)
            && !(PkFilter.Has(filter, PkFilter.Arch) && r.Package.Arch != native)
            && !(PkFilter.Has(filter, PkFilter.NotArch) && r.Package.Arch == native));
    }

    private static IEnumerable<PackageRow> RowsOf(IEnumerable<PackageInfo> revisions)
    {
        var installed = revisions.Where(p => p.Installed).MaxBy(p => p.Revision);
        var newest = revisions.Where(p => !p.Installed).MaxBy(p => p.Revision);
        if (installed is not null)
        {
            yield return new PackageRow(installed, IdOf(installed, true));
        }

        if (newest is not null && (installed is null || newest.Revision > installed.Revision))
        {
            yield return new PackageRow(newest, IdOf(newest, false));
        }
    }

    private static string IdOf(PackageInfo p, bool installed) =>
        $"{p.Name};{p.Version}-{p.Revision.ToString(System.Globalization.CultureInfo.InvariantCulture)};{p.Arch};{(installed ? PackageKitNames.InstalledOrigin : PackageKitNames.Origin)}";
}
