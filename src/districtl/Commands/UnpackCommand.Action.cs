using System.CommandLine;
using Distri.Core.SquashFs.Reading;
using Distri.Core.SquashFs.Unpacking;
using Districtl.Cli;

namespace Districtl.Commands;

/// <summary>What <c>districtl unpack</c> does (its command line: UnpackCommand.cs).</summary>
internal static partial class UnpackCommand
{
    static partial void AddAction(Command command) => command.SetAction(parse =>
    {
        string path = parse.GetValue(Image)!;
        if (!File.Exists(path))
        {
            throw new UserError($"{path}: no such file");
        }

        using var image = SquashFsImage.Open(path);
        var result = ImageUnpacker.Unpack(image, parse.GetValue(Directory)!);
        foreach (string warning in result.Warnings)
        {
            Console.Error.WriteLine($"districtl: warning: {warning}");
        }

        return 0;
    });
}
