using Distri.Core.Packages;
using Distrid.Generations;
using Distrid.Store;
using Distrid.Transactions;

namespace Distrid.Tests.Transactions.Unit;

/// <summary>Packages, catalogs and generations written as data, for the tests of the pure planning parts.</summary>
internal static class Catalogs
{
    public static PackageMetadata Offered(string fullName, params string[] dependencies) =>
        new() { FullName = fullName, Dependencies = dependencies, Size = 1000 + fullName.Length };

    /// <summary>A store image with its metadata; the path is never opened by the planning code.</summary>
    public static StoredPackage Stored(string fullName, params string[] dependencies) =>
        new(PackageName.Parse(fullName), $"/nonexistent/{fullName}.squashfs", 1000, default, Offered(fullName, dependencies));

    public static PackageCatalog Of(IEnumerable<StoredPackage> store, params PackageMetadata[] offered) => new(store, offered);

    public static Generation Generation(int number, string[] requested, string[] packages, Dictionary<string, string>? pins = null) =>
        new()
        {
            Number = number,
            Requested = requested,
            Packages = packages,
            Pins = pins ?? [],
            Created = DateTimeOffset.UnixEpoch,
            Description = $"generation {number}",
        };
}
