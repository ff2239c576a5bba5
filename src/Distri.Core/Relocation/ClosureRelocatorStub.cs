// TEMPORARY stand-in for the relocation branch's ClosureRelocator (h-reloc): same public signatures, no
// relocation, no undeclared requirements. Dropped at merge.
using Distri.Core.Debian;
using Distri.Core.Packages;
using Distri.Core.SquashFs.Writing;

namespace Distri.Core.Relocation;

public sealed record ClosurePackage(string DebPath, PackageName Name, IReadOnlyList<string> Dependencies);

public sealed record UnmetRequirement(string NeededBy, string Kind, string What);

public static class ClosureRelocator
{
    public static IReadOnlyList<UnmetRequirement> Scan(IReadOnlyList<ClosurePackage> closure, Action<string> warn) => [];

    public static IReadOnlyList<DebImportResult> Build(IReadOnlyList<ClosurePackage> closure, string outputDirectory, SquashFsWriterOptions image, Action<string> warn)
    {
        var results = new List<DebImportResult>();
        foreach (var member in closure)
        {
            string spool = Directory.CreateTempSubdirectory("distri-stub-").FullName;
            try
            {
                var deb = DebPackage.Open(member.DebPath);
                var tree = deb.ReadTree(spool, warn);
                var metadata = PackageBuilder.Build(tree, member.Name, new PackageBuildOptions
                {
                    Summary = deb.Control.Summary,
                    Dependencies = member.Dependencies,
                    Image = image,
                }, outputDirectory);
                results.Add(new DebImportResult(member.DebPath, metadata, null));
            }
            catch (Exception e) when (e is InvalidDataException or IOException)
            {
                results.Add(new DebImportResult(member.DebPath, null, e.Message));
            }
            finally
            {
                Directory.Delete(spool, recursive: true);
            }
        }

        return results;
    }
}
