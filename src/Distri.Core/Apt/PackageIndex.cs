namespace Distri.Core.Apt;

/// <summary>
/// Every package of the Packages indexes the importer read, by name and by what it provides. Only the target
/// architecture and "all" are kept; for one name, the highest version comes first.
/// </summary>
public sealed class PackageIndex
{
    private readonly Dictionary<string, List<AptPackage>> _byName = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<(AptPackage Provider, Relation Provided)>> _providers = new(StringComparer.Ordinal);

    public PackageIndex(string architecture, IEnumerable<AptPackage> packages)
    {
        Architecture = architecture;
        foreach (var package in packages)
        {
            if (package.Architecture != architecture && package.Architecture != "all")
            {
                continue;
            }

            if (!_byName.TryGetValue(package.Package, out var list))
            {
                _byName[package.Package] = list = [];
            }

            list.Add(package);
            foreach (var provided in package.Provides)
            {
                if (!_providers.TryGetValue(provided.Package, out var providers))
                {
                    _providers[provided.Package] = providers = [];
                }

                providers.Add((package, provided));
            }
        }

        foreach (var list in _byName.Values)
        {
            list.Sort((a, b) => DebianVersion.Compare(b.Version, a.Version));
        }
    }

    public string Architecture { get; }

    public int Count => _byName.Values.Sum(l => l.Count);

    /// <summary>Packages named <paramref name="name"/>, newest first.</summary>
    public IReadOnlyList<AptPackage> ByName(string name) => _byName.GetValueOrDefault(name) ?? (IReadOnlyList<AptPackage>)[];

    /// <summary>Packages that provide <paramref name="name"/>, with the Provides entry (maybe versioned).</summary>
    public IReadOnlyList<(AptPackage Provider, Relation Provided)> ProvidersOf(string name) =>
        _providers.GetValueOrDefault(name) ?? (IReadOnlyList<(AptPackage, Relation)>)[];

    /// <summary>Candidates that satisfy <paramref name="relation"/>: real packages (newest first), then providers.</summary>
    public IEnumerable<AptPackage> Candidates(Relation relation)
    {
        if (!QualifierAllowed(relation.ArchQualifier))
        {
            yield break;
        }

        foreach (var package in ByName(relation.Package))
        {
            if (relation.Operator is null || DebianVersion.Satisfies(package.Version, relation.Operator, relation.Version!))
            {
                yield return package;
            }
        }

        foreach (var (provider, provided) in ProvidersOf(relation.Package))
        {
            // An unversioned Provides satisfies only unversioned dependencies (Policy 7.5).
            if (relation.Operator is null
                || (provided.Operator == "=" && DebianVersion.Satisfies(provided.Version!, relation.Operator, relation.Version!)))
            {
                yield return provider;
            }
        }
    }

    // A single-architecture import holds only native and "all" packages, so Multi-Arch never has to pick between two
    // architectures: ":any" (Multi-Arch: allowed/foreign providers) and ":native" both resolve to the package found
    // here; another architecture name (e.g. ":i386") cannot be met from this index.
    private bool QualifierAllowed(string? qualifier) =>
        qualifier is null or "any" or "native" || qualifier == Architecture;
}
