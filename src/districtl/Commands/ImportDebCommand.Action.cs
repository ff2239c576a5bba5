using System.CommandLine;
using Distri.Core.Debian;
using Distri.Core.Relocation;
using Distri.Core.SquashFs.Format;
using Distri.Core.SquashFs.Writing;
using Districtl.Cli;
using Districtl.Output;

namespace Districtl.Commands;

/// <summary>What <c>districtl import-deb</c> does (its command line: ImportDebCommand.cs).</summary>
internal static partial class ImportDebCommand
{
    static partial void AddAction(Command command) => command.SetAction(parse =>
    {
        int revision = parse.GetValue(Revision);
        if (revision <= 0)
        {
            throw new UserError($"--revision must be a positive integer, not {revision}");
        }

        var image = new SquashFsWriterOptions
        {
            Compression = parse.GetValue(Compression) switch
            {
                "none" => CompressionId.None,
                "gzip" => CompressionId.Zlib,
                _ => CompressionId.Zstd,
            },
        };
        Action<string> warn = warning => Console.Error.WriteLine($"districtl: warning: {warning}");
        string[] debs = parse.GetValue(Debs)!;
        string output = parse.GetValue(Output)!;
        IReadOnlyList<DebImportResult> results;
        if (parse.GetValue(NoRelocate))
        {
            results = DebImporter.Import(debs, output, image, revision, warn);
        }
        else
        {
            var closure = DebImporter.ToClosure(debs, revision, warn, out var unreadable);
            if (unreadable.Count > 0)
            {
                return Report(unreadable);
            }

            results = ClosureRelocator.Build(closure, output, image, warn, refuseIncomplete: true, out var unmet);
            if (unmet.Count > 0)
            {
                foreach (var requirement in unmet)
                {
                    Console.Error.WriteLine($"districtl: missing: {requirement}");
                }

                Console.Error.WriteLine($"districtl: the .debs are not a complete closure ({unmet.Count} missing); add the packages that provide these, or pass --no-relocate to import them as they are; nothing written");
                return 1;
            }
        }

        return Report(results);
    });

    private static int Report(IReadOnlyList<DebImportResult> results)
    {
        int failed = 0;
        foreach (var result in results)
        {
            if (result.Package is { } metadata)
            {
                string deps = metadata.Dependencies.Count == 0 ? "" : $", depends on {string.Join(", ", metadata.Dependencies)}";
                Console.WriteLine($"{metadata.FullName}: {Units.Bytes(metadata.Size)}{deps}");
            }
            else
            {
                failed++;
                Console.Error.WriteLine($"districtl: {result.DebPath}: {result.Error}");
            }
        }

        return failed == 0 ? 0 : 1;
    }
}
