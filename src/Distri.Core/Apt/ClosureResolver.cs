namespace Distri.Core.Apt;

/// <summary>
/// Chooses the packages of a closure from a <see cref="PackageIndex"/>. Rules:
/// <list type="bullet">
/// <item>Pre-Depends and Depends both count (Recommends and Suggests do not).</item>
/// <item>One version per package name. For an alternative group <c>a | b</c>, a package already chosen that satisfies
/// any alternative wins; otherwise the first alternative with a candidate, and of its candidates the real package
/// of the highest version that satisfies the constraint, else the first provider (virtual packages; a versioned
/// dependency is met only by a versioned Provides).</item>
/// <item>A group nothing meets is an <see cref="UnmetDependencyException"/> naming the chain from the requested
/// package, never a warning.</item>
/// </list>
/// Resolution is incremental: <see cref="AddDependency"/> adds what a package uses but does not declare (found by
/// scanning its files) and resolves the newcomer's own closure.
/// </summary>
public sealed class ClosureResolver
{
    private readonly PackageIndex _index;
    private readonly Dictionary<string, AptPackage> _chosen = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string?> _pulledInBy = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<string>> _dependencies = new(StringComparer.Ordinal);
    private readonly List<string> _order = [];

    public ClosureResolver(PackageIndex index) => _index = index;

    /// <summary>The chosen packages in the order they were chosen.</summary>
    public IReadOnlyList<AptPackage> Packages => [.. _order.Select(name => _chosen[name])];

    public AptPackage? Chosen(string name) => _chosen.GetValueOrDefault(name);

    /// <summary>Names of the chosen packages <paramref name="name"/> depends on directly (declared or added), sorted.</summary>
    public IReadOnlyList<string> DependenciesOf(string name) => [.. _dependencies[name].Order(StringComparer.Ordinal)];

    /// <summary>Adds a requested package: "name", "name=version" or "name (>= version)".</summary>
    public void Request(string request)
    {
        string text = request.Trim();
        int eq = text.IndexOf('=');
        var relation = eq > 0 && !text.Contains('(')
            ? new Relation(text[..eq], null, "=", text[(eq + 1)..])
            : Relation.Parse(text);
        var package = Pick([relation])
            ?? throw new UnmetDependencyException($"{relation}: not in the archive");
        Resolve(package, pulledInBy: null);
    }

    /// <summary>Adds <paramref name="provider"/> as a dependency of the chosen package <paramref name="dependent"/> and resolves its closure.</summary>
    public void AddDependency(string dependent, AptPackage provider)
    {
        if (_chosen.TryGetValue(provider.Package, out var existing) && existing != provider)
        {
            throw new UnmetDependencyException($"{Chain(dependent)} -> {provider.Package} {provider.Version}: {existing.Version} already chosen");
        }

        if (provider.Package != dependent && !_dependencies[dependent].Contains(provider.Package))
        {
            _dependencies[dependent].Add(provider.Package);
        }

        Resolve(provider, dependent);
    }

    /// <summary>"curl -> libcurl4": how a chosen package came into the closure.</summary>
    public string Chain(string name)
    {
        var names = new List<string>();
        for (string? n = name; n is not null && names.Count <= _chosen.Count; n = _pulledInBy.GetValueOrDefault(n))
        {
            names.Add(n);
        }

        names.Reverse();
        return string.Join(" -> ", names);
    }

    private void Resolve(AptPackage root, string? pulledInBy)
    {
        if (_chosen.ContainsKey(root.Package))
        {
            return;
        }

        var pending = new Queue<AptPackage>();
        Choose(root, pulledInBy);
        pending.Enqueue(root);
        while (pending.TryDequeue(out var package))
        {
            var dependencies = _dependencies[package.Package];
            foreach (var group in package.Depends)
            {
                var target = Pick(group)
                    ?? throw new UnmetDependencyException($"{Chain(package.Package)} -> {string.Join(" | ", group)}: {WhyUnmet(group)}");
                if (!_chosen.ContainsKey(target.Package))
                {
                    Choose(target, package.Package);
                    pending.Enqueue(target);
                }

                if (target.Package != package.Package && !dependencies.Contains(target.Package))
                {
                    dependencies.Add(target.Package);
                }
            }
        }
    }

    private void Choose(AptPackage package, string? pulledInBy)
    {
        _chosen[package.Package] = package;
        _pulledInBy[package.Package] = pulledInBy;
        _dependencies[package.Package] = [];
        _order.Add(package.Package);
    }

    private AptPackage? Pick(IReadOnlyList<Relation> group)
    {
        // Something already chosen that meets any alternative keeps the closure small and consistent.
        foreach (var relation in group)
        {
            foreach (var candidate in _index.Candidates(relation))
            {
                if (_chosen.TryGetValue(candidate.Package, out var chosen) && chosen == candidate)
                {
                    return candidate;
                }
            }
        }

        foreach (var relation in group)
        {
            foreach (var candidate in _index.Candidates(relation))
            {
                // One version per name: a candidate whose name is chosen at another version cannot be used.
                if (!_chosen.ContainsKey(candidate.Package))
                {
                    return candidate;
                }
            }
        }

        return null;
    }

    private string WhyUnmet(IReadOnlyList<Relation> group)
    {
        foreach (var relation in group)
        {
            if (_chosen.TryGetValue(relation.Package, out var chosen))
            {
                return $"{chosen.Package} {chosen.Version} is already in the closure";
            }

            if (_index.ByName(relation.Package).Count > 0)
            {
                return $"the archive has only {string.Join(", ", _index.ByName(relation.Package).Select(p => p.Version))}";
            }
        }

        return "not in the archive";
    }
}
