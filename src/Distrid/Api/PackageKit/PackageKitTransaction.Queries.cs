using Distrid.Protocol;
using Tmds.DBus.Protocol;

namespace Distrid.Api.PackageKit;

/// <summary>The read-only roles: answered from <see cref="DistridQueries"/> for every caller, never authorized.</summary>
internal sealed partial class PackageKitTransaction
{
    private async Task<PackageRows> RowsAsync()
    {
        SetStatus(PkStatus.Query);
        return new PackageRows(await Context.Queries.ListAsync(available: true, _cancel.Token));
    }

    private void EmitRow(PackageRow row) =>
        EmitPackage(row.Installed ? PkInfo.Installed : PkInfo.Available, row.Id, row.Package.Summary);

    private async Task<bool> SearchAsync(string role, ulong filter, string[] terms)
    {
        var rows = await RowsAsync();
        var matches = PackageRows.Filter(rows.Rows, filter).Where(r => terms.Any(t => role switch
        {
            "Resolve" => r.Package.Name == t || r.Package.FullName == t || r.Id == t,
            "SearchNames" => r.Package.Name.Contains(t, StringComparison.OrdinalIgnoreCase),
            _ => r.Package.Name.Contains(t, StringComparison.OrdinalIgnoreCase) || r.Package.Summary.Contains(t, StringComparison.OrdinalIgnoreCase),
        }));
        foreach (var row in matches)
        {
            EmitRow(row);
        }

        return false;
    }

    /// <summary>
    /// Packages in the store with a file at one of <paramref name="paths"/>: a path as /ro shows it (<c>/ro/bin/zsh</c>,
    /// <c>/ro/zsh-amd64-5.9-3/bin/zsh</c>) or relative (<c>bin/zsh</c>), or a bare file name. Only images in the store
    /// have file lists; packages only offered by a mirror are not searched.
    /// </summary>
    private async Task<bool> SearchFilesAsync(ulong filter, string[] paths)
    {
        foreach (var row in OwnersOf(await RowsAsync(), filter, paths))
        {
            EmitRow(row);
        }

        return false;
    }

    private IEnumerable<PackageRow> OwnersOf(PackageRows rows, ulong filter, IReadOnlyList<string> paths)
    {
        if (paths.Count == 0)
        {
            yield break;
        }

        var lists = FileLists();
        string mountpoint = lists.Prefix;
        foreach (var row in PackageRows.Filter(rows.Rows, filter))
        {
            string own = mountpoint + row.Package.FullName + "/";
            var files = lists.Files(row.Package.FullName) ?? [];
            if (files.Any(file => paths.Any(path => Matches(file, file[own.Length..], path))))
            {
                yield return row;
            }
        }

        bool Matches(string file, string relative, string path) => path.Contains('/', StringComparison.Ordinal)
            ? path == file || path == mountpoint + relative || path == "/" + relative || path == relative
            : relative.EndsWith("/" + path, StringComparison.Ordinal) || relative == path;
    }

    /// <summary>
    /// What provides each value, where that makes sense for us: an absolute path is a file (as in SearchFiles), any
    /// other value a package name (a package provides itself). Codecs, fonts, MIME types and other provides that the
    /// index does not describe find nothing, which clients take as "no package provides it".
    /// </summary>
    private async Task<bool> WhatProvidesAsync(ulong filter, string[] values)
    {
        var rows = await RowsAsync();
        var paths = values.Where(v => v.StartsWith('/')).ToList();
        var names = values.Where(v => !v.StartsWith('/')).ToHashSet(StringComparer.Ordinal);
        var found = PackageRows.Filter(rows.Rows, filter).Where(r => names.Contains(r.Package.Name)).Concat(OwnersOf(rows, filter, paths));
        foreach (var row in found.DistinctBy(r => r.Id))
        {
            EmitRow(row);
        }

        return false;
    }

    private async Task<bool> GetPackagesAsync(ulong filter)
    {
        foreach (var row in PackageRows.Filter((await RowsAsync()).Rows, filter))
        {
            EmitRow(row);
        }

        return false;
    }

    private async Task<bool> GetDetailsAsync(string[] ids)
    {
        var rows = await RowsAsync();
        foreach (string id in ids)
        {
            var package = Lookup(rows, id);
            Emit("Details", "a{sv}", (ref MessageWriter writer) =>
            {
                var dict = writer.WriteDictionaryStart();
                Entry(ref writer, "package-id", id);
                Entry(ref writer, "summary", package.Summary);
                Entry(ref writer, "description", package.Summary);
                Entry(ref writer, "url", "");
                Entry(ref writer, "license", "unknown");
                Api.DBus.VariantDictionary.Entry(ref writer, "group");
                writer.WriteVariantUInt32(0);
                Api.DBus.VariantDictionary.Entry(ref writer, "size");
                writer.WriteVariantUInt64((ulong)Math.Max(0, package.Size));
                writer.WriteDictionaryEnd(dict);
            });
        }

        return false;
    }

    private static void Entry(ref MessageWriter writer, string key, string value)
    {
        Api.DBus.VariantDictionary.Entry(ref writer, key);
        writer.WriteVariantString(value);
    }

    private PackageFileList FileLists() => new(Context.Store, Context.Manifests, Context.Options.Mountpoint);

    private async Task<bool> GetFilesAsync(string[] ids)
    {
        var rows = await RowsAsync();
        var lists = FileLists();
        foreach (string id in ids)
        {
            var package = Lookup(rows, id);
            var files = lists.Files(package.FullName)
                ?? throw new PackageKitException(PkError.CannotGetFileList, $"{package.FullName} is not downloaded: its file list is in its image");
            Emit("Files", "sas", (ref MessageWriter writer) =>
            {
                writer.WriteString(id);
                writer.WriteArray(files);
            });
        }

        return false;
    }

    private async Task<bool> GetUpdatesAsync()
    {
        foreach (var row in (await RowsAsync()).Updates())
        {
            EmitPackage(PkInfo.Normal, row.Id, row.Package.Summary);
        }

        return false;
    }

    private async Task<bool> GetUpdateDetailAsync(string[] ids)
    {
        var rows = await RowsAsync();
        foreach (string id in ids)
        {
            var package = Lookup(rows, id);
            string[] replaces = rows.InstalledRowOf(package) is { } installed ? [installed.Id] : [];
            Emit("UpdateDetail", "sasasasasasussuss", (ref MessageWriter writer) =>
            {
                writer.WriteString(id);
                writer.WriteArray(replaces);
                writer.WriteArray(Array.Empty<string>()); // obsoletes
                writer.WriteArray(Array.Empty<string>()); // vendor urls
                writer.WriteArray(Array.Empty<string>()); // bugzilla urls
                writer.WriteArray(Array.Empty<string>()); // cve urls
                writer.WriteUInt32(1); // restart: none (a new generation is live at once)
                writer.WriteString(package.Summary);
                writer.WriteString("");
                writer.WriteUInt32(1); // stable
                writer.WriteString("");
                writer.WriteString("");
            });
        }

        return false;
    }

    private async Task<bool> DependenciesAsync(bool dependsOn, ulong filter, string[] ids, bool recursive)
    {
        var rows = await RowsAsync();
        var roots = ids.Select(id => Lookup(rows, id)).ToList();
        var found = new HashSet<string>(StringComparer.Ordinal);
        var pending = new Queue<PackageInfo>(roots);
        while (pending.Count > 0)
        {
            var package = pending.Dequeue();
            var next = dependsOn
                ? package.Dependencies.Select(rows.ByFullName).OfType<PackageInfo>()
                : rows.Rows.Select(r => r.Package).Where(p => p.Dependencies.Contains(package.FullName, StringComparer.Ordinal));
            foreach (var related in next)
            {
                if (found.Add(related.FullName) && recursive)
                {
                    pending.Enqueue(related);
                }
            }
        }

        foreach (var row in PackageRows.Filter(found.Select(f => rows.ByFullName(f)!).Select(p => new PackageRow(p, rows.IdOf(p.FullName)!)), filter))
        {
            EmitRow(row);
        }

        return false;
    }

    private Task<bool> GetRepoListAsync()
    {
        SetStatus(PkStatus.Query);
        foreach (var (id, repository) in Repositories())
        {
            Emit("RepoDetail", "ssb", (ref MessageWriter writer) =>
            {
                writer.WriteString(id);
                writer.WriteString(repository.Url);
                writer.WriteBool(repository.Enabled);
            });
        }

        return Task.FromResult(false);
    }

    /// <summary>
    /// The daemon's repositories (enabled and disabled, in their configured order) as PackageKit repositories:
    /// <c>distri</c>, <c>distri2</c>, ... The id is a position, so it is mapped back to a URL through this same list.
    /// </summary>
    private IEnumerable<(string Id, RepositoryInfo Repository)> Repositories() => Context.Repositories.List().Select((repository, i) =>
        (i == 0 ? PackageKitNames.Origin : PackageKitNames.Origin + (i + 1).ToString(System.Globalization.CultureInfo.InvariantCulture), repository));

    /// <summary>
    /// Enables or disables a repository through the same daemon path as <c>districtl repo enable|disable</c>
    /// (polkit's repo-configure action; enabling verifies the index first; installed generations never change).
    /// </summary>
    private async Task<bool> RepoEnableAsync(string id, bool enable)
    {
        SetStatus(PkStatus.Query);
        var (_, repository) = Repositories().FirstOrDefault(r => r.Id == id);
        if (repository is null)
        {
            throw new PackageKitException(PkError.RepoNotFound, $"no repository {Distri.Core.Text.EchoText.Cap(id)} (see GetRepoList)");
        }

        if (repository.Enabled != enable)
        {
            await Context.Repositories.SetEnabledAsync(Caller(), repository.Url, enable, _cancel.Token);
            _daemon.EmitRepoListChanged();
        }

        return false;
    }

    /// <summary>The package an id names, by lookup in the lists it was built from; unknown ids are PackageNotFound.</summary>
    private static PackageInfo Lookup(PackageRows rows, string id) =>
        rows.ById(id) ?? throw new PackageKitException(PkError.NotFound, $"no package {Distri.Core.Text.EchoText.Cap(id)}");
}
