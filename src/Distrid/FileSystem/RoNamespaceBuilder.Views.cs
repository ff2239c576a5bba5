using Distri.Core.Packages;
using Distrid.FileSystem.Exchange;
using Distrid.FileSystem.Images;
using Distrid.Store;

namespace Distrid.FileSystem;

internal sealed partial class RoNamespaceBuilder
{
    /// <summary>
    /// The exchange trees of a view: <paramref name="packages"/> (store images with the handles /ro serves them by,
    /// so a view never gives an image a slot of its own) merged by the generation rule, with
    /// <paramref name="chosen"/> winning (see <see cref="ExchangeTreeBuilder"/>). Manifests come from the same cache
    /// as a publish's; an image that cannot be read is left out and named in <paramref name="broken"/>.
    /// </summary>
    public ExchangeTree BuildView(
        IReadOnlyList<(StoredPackage Package, ImageHandle Handle)> packages, IReadOnlyDictionary<string, string> pins, IReadOnlySet<string> chosen, out IReadOnlyList<string> broken)
    {
        var contributions = new (PackageName, PackageManifest)?[packages.Count];
        var unreadable = new List<string>();
        Parallel.For(0, packages.Count, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, i =>
        {
            var (package, handle) = packages[i];
            var manifest = LoadManifest(package, handle, out _);
            if (manifest is null)
            {
                lock (unreadable)
                {
                    unreadable.Add(package.FullName);
                }

                return;
            }

            contributions[i] = (package.Name, manifest);
        });

        unreadable.Sort(StringComparer.Ordinal);
        broken = unreadable;
        return ExchangeTreeBuilder.Build(contributions.Where(c => c is not null).Select(c => c!.Value), pins, chosen);
    }
}
