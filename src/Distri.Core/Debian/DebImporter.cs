using Distri.Core.Packages;
using Distri.Core.SquashFs.Writing;

namespace Distri.Core.Debian;

/// <summary>The outcome for one .deb: the package written, or why nothing was written for it.</summary>
public sealed record DebImportResult(string DebPath, PackageMetadata? Package, string? Error)
{
    /// <summary>For a relocated package with Python modules: the compiler its bytecode was made with, as the import state records it.</summary>
    public string? Bytecode { get; init; }
}

/// <summary>
/// Turns a set of .deb files into Distrid packages. Dependencies are resolved within the set: for each Depends /
/// Pre-Depends group ("a | b") the first alternative that is one of the imported packages (by name or by
/// Provides) becomes a dependency on that package's full name; a group with no such alternative is reported
/// through the warning callback and otherwise ignored. A bad .deb is reported in its result and skipped; the
/// others are still imported.
/// </summary>
public static class DebImporter
{
    public static IReadOnlyList<DebImportResult> Import(
        IReadOnlyList<string> debPaths, string outputDirectory, SquashFsWriterOptions image, int revision, Action<string> warn)
    {
        ArgumentNullException.ThrowIfNull(debPaths);
        ArgumentNullException.ThrowIfNull(warn);
        var results = new DebImportResult?[debPaths.Count];
        var opened = new List<(int Index, DebPackage Deb, PackageName Name)>();
        for (int i = 0; i < debPaths.Count; i++)
        {
            try
            {
                var deb = DebPackage.Open(debPaths[i]);
                opened.Add((i, deb, DebNameMapping.ToPackageName(deb.Control, revision)));
            }
            catch (Exception e) when (IsInputError(e))
            {
                results[i] = new DebImportResult(debPaths[i], null, e.Message);
            }
        }

        var byName = new Dictionary<string, PackageName>(StringComparer.Ordinal);
        foreach (var (_, deb, name) in opened)
        {
            byName.TryAdd(deb.Control.Package, name);
        }

        foreach (var (_, deb, name) in opened)
        {
            foreach (string provided in deb.Control.Provides)
            {
                byName.TryAdd(provided, name);
            }
        }

        foreach (var (index, deb, name) in opened)
        {
            var dependencies = ResolveDependencies(deb.Control, name, byName, warn);
            results[index] = Build(deb, name, dependencies, outputDirectory, image, warn);
        }

        return [.. results.Select(r => r!)];
    }

    /// <summary>
    /// The closure the given .debs form, for <see cref="Relocation.ClosureRelocator"/>: each with its full name and
    /// its dependencies resolved among the set as <see cref="Import"/> does. A .deb that cannot be opened gets a
    /// result in <paramref name="failures"/> and is left out.
    /// </summary>
    public static IReadOnlyList<Relocation.ClosurePackage> ToClosure(
        IReadOnlyList<string> debPaths, int revision, Action<string> warn, out IReadOnlyList<DebImportResult> failures)
    {
        ArgumentNullException.ThrowIfNull(debPaths);
        ArgumentNullException.ThrowIfNull(warn);
        var failed = new List<DebImportResult>();
        var opened = new List<(DebPackage Deb, PackageName Name)>();
        foreach (string path in debPaths)
        {
            try
            {
                var deb = DebPackage.Open(path);
                opened.Add((deb, DebNameMapping.ToPackageName(deb.Control, revision)));
            }
            catch (Exception e) when (IsInputError(e))
            {
                failed.Add(new DebImportResult(path, null, e.Message));
            }
        }

        var byName = new Dictionary<string, PackageName>(StringComparer.Ordinal);
        foreach (var (deb, name) in opened)
        {
            byName.TryAdd(deb.Control.Package, name);
        }

        foreach (var (deb, name) in opened)
        {
            foreach (string provided in deb.Control.Provides)
            {
                byName.TryAdd(provided, name);
            }
        }

        failures = failed;
        return [.. opened.Select(o => new Relocation.ClosurePackage(o.Deb.Path, o.Name, ResolveDependencies(o.Deb.Control, o.Name, byName, warn)))];
    }

    private static List<string> ResolveDependencies(DebControl control, PackageName self, Dictionary<string, PackageName> byName, Action<string> warn)
    {
        var dependencies = new List<string>();
        foreach (var group in control.Depends)
        {
            var match = group.Select(r => byName.GetValueOrDefault(r.Package)).FirstOrDefault(n => n is not null);
            if (match is null)
            {
                warn($"{control.Package}: dependency '{string.Join(" | ", group.Select(r => r.Package))}' is not among the imported packages; left out");
            }
            else if (match != self)
            {
                dependencies.Add(match.FullName);
            }
        }

        return dependencies;
    }

    private static DebImportResult Build(DebPackage deb, PackageName name, List<string> dependencies, string outputDirectory, SquashFsWriterOptions image, Action<string> warn)
    {
        string spool = Path.Combine(Path.GetTempPath(), $"distri-import-{Environment.ProcessId}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(spool);
        try
        {
            var tree = deb.ReadTree(spool, message => warn($"{deb.Control.Package}: {message}"));
            var metadata = PackageBuilder.Build(tree, name, new PackageBuildOptions
            {
                Summary = deb.Control.Summary,
                Dependencies = dependencies,
                Image = image,
            }, outputDirectory);
            return new DebImportResult(deb.Path, metadata, null);
        }
        catch (Exception e) when (IsInputError(e))
        {
            return new DebImportResult(deb.Path, null, e.Message);
        }
        finally
        {
            Directory.Delete(spool, recursive: true);
        }
    }

    private static bool IsInputError(Exception e) =>
        e is InvalidDataException or FormatException or IOException or UnauthorizedAccessException or ZstdSharp.ZstdException
            or SquashFs.SquashFsException;
}
