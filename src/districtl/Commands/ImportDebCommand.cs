using System.CommandLine;
using Distri.Core.Debian;
using Distri.Core.Relocation;
using Distri.Core.SquashFs.Format;
using Distri.Core.SquashFs.Writing;
using Districtl.Cli;
using Districtl.Output;

namespace Districtl.Commands;

/// <summary>
/// <c>districtl import-deb DEB... -o OUTDIR</c>: Debian binary packages (as <c>apt-get download</c> writes them)
/// into Distrid packages, dependencies resolved among the given files. When the files form a complete closure
/// (every library, interpreter and /bin/sh their files need is among them) they are relocated to run from /ro
/// alone (<see cref="ClosureRelocator"/>); when not, each missing thing is named on one line and nothing is
/// written, unless <c>--no-relocate</c> asks for the plain import (which uses the host's files at run time).
/// One line per package; a bad .deb gets one line on stderr and the exit status is 1.
/// </summary>
internal static class ImportDebCommand
{
    private static readonly Argument<string[]> Debs = new("DEB") { Description = ".deb files to import together", Arity = ArgumentArity.OneOrMore };
    private static readonly Option<string> Output = new("-o", "--output") { Description = "where to write <fullname>.squashfs and .meta.json", Required = true };
    private static readonly Option<string> Compression = new("--compression") { Description = "none, zstd or gzip", DefaultValueFactory = _ => "zstd" };
    private static readonly Option<int> Revision = new("--revision") { Description = "revision of every imported package (positive integer)", DefaultValueFactory = _ => 1 };
    private static readonly Option<bool> NoRelocate = new("--no-relocate")
    {
        Description = "import the files as they are, without relocation (their programs then use the host's libraries and interpreters)",
    };

    public static Command Create()
    {
        var command = new Command("import-deb", "turn Debian .deb files into package images (offline)") { Debs, Output, Compression, Revision, NoRelocate };
        Compression.AcceptOnlyFromAmong("none", "zstd", "gzip");
        command.SetAction(parse =>
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
        return command;
    }

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
