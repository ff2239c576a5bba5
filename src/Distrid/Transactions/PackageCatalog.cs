using System.Runtime.InteropServices;
using Distri.Core.Packages;
using Distri.Core.Text;
using Distrid.Store;

namespace Distrid.Transactions;

/// <summary>
/// Every package a transaction may use: the store's images and what the repositories' verified index offers.
/// Resolves what users type (<c>name</c>, <c>name-arch</c> or a full name) and computes dependency closures.
/// </summary>
internal sealed class PackageCatalog
{
    private readonly Dictionary<string, PackageMetadata> _packages = new(StringComparer.Ordinal);
    private readonly HashSet<string> _inStore = new(StringComparer.Ordinal);

    public PackageCatalog(IEnumerable<StoredPackage> store, IEnumerable<PackageMetadata> available)
    {
        foreach (var metadata in available)
        {
            _packages[metadata.FullName] = metadata;
        }

        foreach (var stored in store)
        {
            _inStore.Add(stored.FullName);
            // The store's own copy of the metadata wins; an image without one still counts, with no dependencies.
            _packages[stored.FullName] = stored.Metadata
                ?? (_packages.TryGetValue(stored.FullName, out var offered) ? offered : new PackageMetadata { FullName = stored.FullName, Size = stored.Size });
        }
    }

    /// <summary>The architecture of this machine, preferred when a name exists for several.</summary>
    public static string NativeArch => RuntimeInformation.OSArchitecture switch
    {
        Architecture.Arm64 => "arm64",
        Architecture.X86 => "i686",
        _ => "amd64",
    };

    public IEnumerable<PackageMetadata> All => _packages.Values;

    public PackageMetadata? Find(string fullName) => _packages.GetValueOrDefault(fullName);

    public bool InStore(string fullName) => _inStore.Contains(fullName);

    /// <summary>The package a user means by <paramref name="spec"/>: the full name itself, or the newest revision of
    /// <c>name</c> / <c>name-arch</c> (the native architecture first).</summary>
    public PackageName Resolve(string spec)
    {
        if (PackageName.TryParse(spec, out var exact, out _) && _packages.ContainsKey(exact.FullName))
        {
            return exact;
        }

        var (name, arch) = SplitArch(spec);
        var best = Candidates(name, arch).MaxBy(Rank);
        return best ?? throw new TransactionException(TransactionError.NotFound, $"no package '{EchoText.Cap(spec)}' in the repositories or the store");
    }

    /// <summary>The newest revision offered of <paramref name="name"/>'s name and arch.</summary>
    public PackageName Newest(PackageName name) => Candidates(name.Name, name.Arch).MaxBy(p => p.Revision) ?? name;

    /// <summary>Every full name <paramref name="roots"/> need, roots included, sorted.</summary>
    public IReadOnlyList<string> Closure(IEnumerable<string> roots)
    {
        var result = new SortedSet<string>(StringComparer.Ordinal);
        var pending = new Stack<(string FullName, string NeededBy)>(roots.Select(r => (r, "")));
        while (pending.Count > 0)
        {
            var (fullName, neededBy) = pending.Pop();
            if (!result.Add(fullName))
            {
                continue;
            }

            var metadata = Find(fullName) ?? throw new TransactionException(
                TransactionError.Dependency,
                neededBy.Length == 0 ? $"{fullName} is not available" : $"{neededBy} needs {fullName}, which no repository or store image offers");
            foreach (string dependency in metadata.Dependencies)
            {
                pending.Push((dependency, fullName));
            }
        }

        return [.. result];
    }

    /// <summary>Splits "name-arch" when the suffix is a known architecture.</summary>
    public static (string Name, string? Arch) SplitArch(string spec)
    {
        int dash = spec.LastIndexOf('-');
        if (dash > 0 && PackageName.Architectures.Contains(spec[(dash + 1)..]))
        {
            return (spec[..dash], spec[(dash + 1)..]);
        }

        return (spec, null);
    }

    private IEnumerable<PackageName> Candidates(string name, string? arch) =>
        _packages.Keys.Select(PackageName.Parse).Where(p => p.Name == name && (arch is null || p.Arch == arch));

    private static (int, int) Rank(PackageName p) => (p.Arch == NativeArch ? 1 : 0, p.Revision);
}
