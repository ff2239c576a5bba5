using Distri.Core.Debian;
using Distri.Core.Packages;

namespace Distri.Core.Apt;

/// <summary>One member of a planned import: its full name, its dependencies' full names, and whether its image must be built.</summary>
public sealed record PlannedPackage(AptPackage Deb, PackageName Name, IReadOnlyList<string> Dependencies, bool Rebuild);

/// <summary>
/// Decides full names and revisions against the previous import. A package gets a new image, one revision above the
/// highest it ever had (in the state file or as an image in REPO/pkg), when its .deb changed, when it is new, when its
/// image is gone, when its Python bytecode would now be compiled differently (or at all), or when the full name of any
/// dependency changed. The last rule propagates up through reverse
/// dependencies to a fixed point: a relocated package's RUNPATH farm and wrappers name its dependencies'
/// /ro/&lt;fullname&gt;/ paths, so a fixed libssl must reach curl as a new curl image. Every other package keeps its
/// full name and its files are not touched.
/// </summary>
public static class ImportPlanner
{
    public static IReadOnlyList<PlannedPackage> Plan(ClosureResolver closure, ImportState state, string packageDirectory)
    {
        var members = closure.Packages;
        var existing = ExistingRevisions(packageDirectory);
        var rebuild = new HashSet<string>(StringComparer.Ordinal);
        foreach (var deb in members)
        {
            var recorded = state.Packages.GetValueOrDefault(deb.Package);
            if (recorded is null || recorded.DebSha256 != deb.Sha256 || state.FormatVersion < ImportState.CurrentFormatVersion
                || (recorded.Bytecode is { } compiler && !Relocation.PythonBytecode.IsCurrent(compiler))
                || !File.Exists(Path.Combine(packageDirectory, recorded.FullName + PackageMetadata.ImageExtension)))
            {
                rebuild.Add(deb.Package);
            }
        }

        while (true)
        {
            var names = members.ToDictionary(d => d.Package, d => NameFor(d, state, existing, rebuild.Contains(d.Package)), StringComparer.Ordinal);
            bool changed = false;
            foreach (var deb in members)
            {
                if (rebuild.Contains(deb.Package))
                {
                    continue;
                }

                var dependencies = closure.DependenciesOf(deb.Package).Select(d => names[d].FullName).Order(StringComparer.Ordinal);
                if (!dependencies.SequenceEqual(state.Packages[deb.Package].Dependencies.Order(StringComparer.Ordinal)))
                {
                    rebuild.Add(deb.Package);
                    changed = true;
                }
            }

            if (!changed)
            {
                return [.. members.Select(d => new PlannedPackage(
                    d,
                    names[d.Package],
                    [.. closure.DependenciesOf(d.Package).Select(dep => names[dep].FullName)],
                    rebuild.Contains(d.Package)))];
            }
        }
    }

    private static PackageName NameFor(AptPackage deb, ImportState state, Dictionary<string, int> existing, bool rebuild)
    {
        var recorded = state.Packages.GetValueOrDefault(deb.Package);
        if (!rebuild && recorded is not null)
        {
            return PackageName.Parse(recorded.FullName);
        }

        string name = DebNameMapping.MapName(deb.Package);
        string arch = DebNameMapping.MapArchitecture(deb.Architecture);
        int highest = Math.Max(
            recorded is null ? 0 : PackageName.Parse(recorded.FullName).Revision,
            existing.GetValueOrDefault($"{name}-{arch}"));
        return PackageName.Create(name, arch, DebNameMapping.MapVersion(deb.Version), highest + 1);
    }

    // The highest revision per name-arch among the images already in REPO/pkg, so that a lost state file never
    // makes the importer reuse a full name for different bytes.
    private static Dictionary<string, int> ExistingRevisions(string packageDirectory)
    {
        var highest = new Dictionary<string, int>(StringComparer.Ordinal);
        if (!Directory.Exists(packageDirectory))
        {
            return highest;
        }

        foreach (string image in Directory.EnumerateFiles(packageDirectory, "*" + PackageMetadata.ImageExtension))
        {
            string fullName = Path.GetFileName(image)[..^PackageMetadata.ImageExtension.Length];
            if (PackageName.TryParse(fullName, out var name, out _))
            {
                highest[name.NameArch] = Math.Max(highest.GetValueOrDefault(name.NameArch), name.Revision);
            }
        }

        return highest;
    }
}
