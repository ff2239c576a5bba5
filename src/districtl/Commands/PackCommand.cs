using System.CommandLine;
using Distri.Core.FileTree;
using Distri.Core.Packages;
using Distri.Core.SquashFs.Format;
using Distri.Core.SquashFs.Writing;
using Districtl.Cli;
using Districtl.Output;

namespace Districtl.Commands;

/// <summary><c>districtl pack DIR --name N --version V --revision R ... -o OUTDIR</c>: a tree into a package image.</summary>
internal static class PackCommand
{
    private static readonly Argument<string> Directory = new("DIR") { Description = "the tree that /ro/<fullname>/ will show" };
    private static readonly Option<string> Name = new("--name") { Description = "package name", Required = true };
    private static readonly Option<string> Version = new("--version") { Description = "upstream version (no '-')", Required = true };
    private static readonly Option<int> Revision = new("--revision") { Description = "positive integer; the highest is the newest", Required = true };
    private static readonly Option<string> Arch = new("--arch") { Description = "amd64, arm64 or i686", DefaultValueFactory = _ => "amd64" };
    private static readonly Option<string[]> Dependencies = new("--dep") { Description = "runtime dependency, as a full name (repeatable)" };
    private static readonly Option<string> Summary = new("--summary") { Description = "one line saying what the package is", DefaultValueFactory = _ => "" };
    private static readonly Option<string> Compression = new("--compression") { Description = "none, zstd or gzip", DefaultValueFactory = _ => "zstd" };
    private static readonly Option<int> BlockSize = new("--block-size") { Description = "data block size in bytes (4096 to 1048576)", DefaultValueFactory = _ => SquashFsLayout.DefaultBlockSize };
    private static readonly Option<bool> NoFragments = new("--no-fragments") { Description = "do not pack small files' tails together" };
    private static readonly Option<string> Output = new("-o", "--output") { Description = "where to write <fullname>.squashfs and .meta.json", Required = true };

    public static Command Create()
    {
        var command = new Command("pack", "make a package image from a directory (offline)")
        {
            Directory, Name, Version, Revision, Arch, Dependencies, Summary, Compression, BlockSize, NoFragments, Output,
        };
        Compression.AcceptOnlyFromAmong("none", "zstd", "gzip");
        command.SetAction(parse =>
        {
            string source = parse.GetValue(Directory)!;
            if (!System.IO.Directory.Exists(source))
            {
                throw new UserError($"{source}: no such directory");
            }

            var name = PackageName.Create(parse.GetValue(Name)!, parse.GetValue(Arch)!, parse.GetValue(Version)!, parse.GetValue(Revision));
            var tree = DirectoryScanner.Scan(source);
            var metadata = PackageBuilder.Build(tree, name, new PackageBuildOptions
            {
                Summary = parse.GetValue(Summary)!,
                Dependencies = parse.GetValue(Dependencies) ?? [],
                Image = new SquashFsWriterOptions
                {
                    Compression = parse.GetValue(Compression) switch
                    {
                        "none" => CompressionId.None,
                        "gzip" => CompressionId.Zlib,
                        _ => CompressionId.Zstd,
                    },
                    BlockSize = parse.GetValue(BlockSize),
                    Fragments = !parse.GetValue(NoFragments),
                },
            }, parse.GetValue(Output)!);

            if (parse.GetValue(GlobalOptions.Json))
            {
                JsonOutput.Write(metadata, PackageMetadataJsonContext.Default.PackageMetadata);
            }
            else
            {
                Console.WriteLine($"{metadata.FullName}: {Units.Bytes(metadata.Size)}, sha256 {metadata.Sha256}");
            }

            return 0;
        });
        return command;
    }
}
