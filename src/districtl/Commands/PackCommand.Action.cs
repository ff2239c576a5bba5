using System.CommandLine;
using Distri.Core.FileTree;
using Distri.Core.Packages;
using Distri.Core.SquashFs.Format;
using Distri.Core.SquashFs.Writing;
using Districtl.Cli;
using Districtl.Output;

namespace Districtl.Commands;

/// <summary>What <c>districtl pack</c> does (its command line: PackCommand.cs).</summary>
internal static partial class PackCommand
{
    static partial void AddAction(Command command) => command.SetAction(parse =>
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
}
