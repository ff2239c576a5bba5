using System.CommandLine;
using Distri.Core.Debian;
using Distri.Core.SquashFs.Format;
using Distri.Core.SquashFs.Writing;
using Districtl.Cli;
using Districtl.Output;

namespace Districtl.Commands;

/// <summary>
/// <c>districtl import-deb DEB... -o OUTDIR</c>: Debian binary packages (as <c>apt-get download</c> writes them)
/// into Distrid packages, dependencies resolved among the given files. One line per package; a bad .deb gets one
/// line on stderr, nothing is written for it, and the exit status is 1.
/// </summary>
internal static class ImportDebCommand
{
    private static readonly Argument<string[]> Debs = new("DEB") { Description = ".deb files to import together", Arity = ArgumentArity.OneOrMore };
    private static readonly Option<string> Output = new("-o", "--output") { Description = "where to write <fullname>.squashfs and .meta.json", Required = true };
    private static readonly Option<string> Compression = new("--compression") { Description = "none, zstd or gzip", DefaultValueFactory = _ => "zstd" };
    private static readonly Option<int> Revision = new("--revision") { Description = "revision of every imported package (positive integer)", DefaultValueFactory = _ => 1 };

    public static Command Create()
    {
        var command = new Command("import-deb", "turn Debian .deb files into package images (offline)") { Debs, Output, Compression, Revision };
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
            var results = DebImporter.Import(parse.GetValue(Debs)!, parse.GetValue(Output)!, image, revision,
                warning => Console.Error.WriteLine($"districtl: warning: {warning}"));
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
        });
        return command;
    }
}
