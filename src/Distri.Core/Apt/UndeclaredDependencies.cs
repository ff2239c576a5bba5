using Distri.Core.Relocation;

namespace Distri.Core.Apt;

/// <summary>
/// Turns what a closure's files need and no member provides (<see cref="ClosureRelocator.Scan"/>) into dependencies:
/// the package that ships the file according to the Contents index joins the closure, with its own closure, as a
/// dependency of the member that needs it. A package already in the closure is preferred among several shippers.
/// </summary>
public static class UndeclaredDependencies
{
    /// <summary>
    /// Adds the shipper of each of <paramref name="unmet"/> to <paramref name="resolver"/>. <paramref name="found"/> holds
    /// the Contents lookups of every candidate path (<see cref="ContentsIndex.CandidatePaths"/>), null when the archive
    /// has no Contents index.
    /// </summary>
    public static void Add(ClosureResolver resolver, PackageIndex index, IReadOnlyList<PlannedPackage> plan, IReadOnlyList<UnmetRequirement> unmet,
        IReadOnlyDictionary<string, IReadOnlyList<string>>? found, string architecture)
    {
        var byFullName = plan.ToDictionary(p => p.Name.FullName, p => p.Deb.Package, StringComparer.Ordinal);
        var before = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        foreach (var requirement in unmet)
        {
            // A requirement of the closure as a whole (e.g. /bin/sh for glibc's system()) hangs off the first requested package.
            string dependent = byFullName.GetValueOrDefault(requirement.NeededBy) ?? plan[0].Deb.Package;
            string what = requirement.Kind == "soname" ? $"library {requirement.What}" : requirement.What;
            if (found is null)
            {
                throw new UnmetDependencyException($"{resolver.Chain(dependent)} -> {what}: no package of the closure provides it, and the archive has no Contents-{architecture} index to find one");
            }

            var shippers = ContentsIndex.CandidatePaths(requirement.Kind, requirement.What, architecture)
                .SelectMany(path => found.GetValueOrDefault(path) ?? [])
                .ToList();
            var provider = shippers.Select(resolver.Chosen).FirstOrDefault(p => p is not null)
                ?? shippers.Select(name => index.ByName(name).FirstOrDefault()).FirstOrDefault(p => p is not null)
                ?? throw new UnmetDependencyException($"{resolver.Chain(dependent)} -> {what}: not in the archive");
            if (!before.TryGetValue(dependent, out var earlier))
            {
                before[dependent] = earlier = resolver.DependenciesOf(dependent);
            }

            if (earlier.Contains(provider.Package))
            {
                // Scanning found it unmet although the shipper was already a dependency: adding it again would loop.
                throw new UnmetDependencyException($"{resolver.Chain(dependent)} -> {what}: {provider.Package} ships it but it is still unmet");
            }

            resolver.AddDependency(dependent, provider);
        }
    }
}
