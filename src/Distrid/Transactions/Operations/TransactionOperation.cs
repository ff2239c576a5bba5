using Distri.Core.Packages;
using Distrid.Generations;

namespace Distrid.Transactions.Operations;

/// <summary>
/// One kind of mutating transaction. An operation only decides; <see cref="TransactionService"/> owns the lock,
/// the journal, downloads, the atomic commit and publishing, the same for every operation and both front ends.
/// </summary>
internal abstract class TransactionOperation
{
    /// <summary>For people and the journal: "install zsh", "rollback to 3".</summary>
    public abstract string Description { get; }

    /// <summary>Whether planning needs the repositories' index (install and update do; rollback does not).</summary>
    public virtual bool NeedsIndex => false;

    /// <summary>A download-only run of it is remembered as the prepared update (<see cref="PreparedUpdate"/>) that
    /// <see cref="ApplyPreparedOperation"/> later commits.</summary>
    public virtual bool Preparable => false;

    /// <summary>Images from local files the operation brings (install of a path); null for none.</summary>
    public virtual IReadOnlyList<LocalImage> LocalImages => [];

    public abstract OperationPlan Plan(Generation current, PackageCatalog catalog, GenerationStore generations);

    /// <summary>The generation whose packages are exactly the closure of <paramref name="requested"/>.</summary>
    protected Generation Next(Generation current, PackageCatalog catalog, IEnumerable<string> requested, IReadOnlyDictionary<string, string> pins)
    {
        var world = requested.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        return new Generation
        {
            Number = 0,
            Requested = world,
            Packages = catalog.Closure(world),
            Pins = pins,
            Created = DateTimeOffset.UtcNow,
            Description = Description,
        };
    }

    /// <summary>Replaces every requested revision of <paramref name="package"/>'s name and arch by it.</summary>
    protected static IEnumerable<string> WithReplaced(IEnumerable<string> requested, PackageName package) =>
        requested.Where(r => PackageName.Parse(r).NameArch != package.NameArch).Append(package.FullName);
}

/// <summary>
/// What an operation decided. <see cref="Next"/>: a new generation to commit (its number is assigned at commit).
/// <see cref="MakeCurrent"/>: an existing generation to make current (rollback). <see cref="DeleteImages"/> and
/// <see cref="DeleteGenerations"/>: what gc removes after the commit.
/// </summary>
internal sealed record OperationPlan
{
    public static readonly OperationPlan Nothing = new();

    public Generation? Next { get; init; }

    public int? MakeCurrent { get; init; }

    public IReadOnlyList<string> DeleteImages { get; init; } = [];

    public IReadOnlyList<int> DeleteGenerations { get; init; } = [];

    /// <summary>Packages of <see cref="Next"/> whose images are fetched again even if the store has them (reinstall).</summary>
    public IReadOnlyList<string> Refetch { get; init; } = [];

    /// <summary>
    /// Images that must already be in the store with exactly these digests: re-hashed before the commit and never
    /// downloaded (applying a prepared update). One that is missing or differs fails the transaction; nothing changes.
    /// </summary>
    public IReadOnlyList<PreparedImage> Present { get; init; } = [];

    /// <summary>The commit consumes the prepared update (it is forgotten afterwards).</summary>
    public bool AppliesPrepared { get; init; }
}

/// <summary>An image file given on the command line instead of a package name.</summary>
internal sealed record LocalImage(string Path, PackageMetadata Metadata);
