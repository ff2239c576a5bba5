using System.CommandLine;
using Distri.Core.AppStream;
using Distri.Core.Repository;

namespace Districtl.Commands;

/// <summary>What <c>districtl repo build</c> does (its command line: RepoBuildCommand.cs).</summary>
internal static partial class RepoBuildCommand
{
    static partial void AddAction(Command command) => command.SetAction(parseResult =>
    {
        var output = parseResult.InvocationConfiguration.Output;
        int zstdLevel = parseResult.GetValue(Level);
        if (zstdLevel is < 1 or > 22)
        {
            parseResult.InvocationConfiguration.Error.WriteLine($"districtl repo build: --zstd-level {zstdLevel} is not between 1 and 22");
            return 1;
        }

        try
        {
            var builder = new RepositoryBuilder { ZstdLevel = zstdLevel };
            var result = builder.Run(parseResult.GetValue(Dir)!, parseResult.GetValue(Key));
            foreach (string warning in result.Warnings)
            {
                parseResult.InvocationConfiguration.Error.WriteLine($"districtl: warning: {warning}");
            }

            output.WriteLine($"{result.IndexPath}: {result.Index.Packages.Count} packages");
            if (result.AppStreamComponents > 0)
            {
                output.WriteLine($"{AppStreamLayout.CatalogPath}: {result.AppStreamComponents} AppStream components");
            }

            output.WriteLine(result.SignaturePath is null
                ? "not signed (no --key): clients will refuse this index"
                : $"{result.SignaturePath}: signed by key {result.KeyId}");
            return 0;
        }
        catch (Exception e) when (e is RepositoryException or IOException or UnauthorizedAccessException)
        {
            parseResult.InvocationConfiguration.Error.WriteLine($"districtl repo build: {e.Message}");
            return 1;
        }
    });
}
