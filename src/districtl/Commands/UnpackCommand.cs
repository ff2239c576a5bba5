using System.CommandLine;
using Distri.Core.SquashFs.Reading;
using Distri.Core.SquashFs.Unpacking;
using Districtl.Cli;

namespace Districtl.Commands;

/// <summary><c>districtl unpack IMAGE DIR</c>: restores an image's tree (types, modes, owners as root, mtimes, links, xattrs).</summary>
internal static class UnpackCommand
{
    private static readonly Argument<string> Image = new("IMAGE") { Description = "a SquashFS image" };
    private static readonly Argument<string> Directory = new("DIR") { Description = "where to unpack (must not exist or be empty)" };

    public static Command Create()
    {
        var command = new Command("unpack", "unpack an image into a directory (offline)") { Image, Directory };
        command.SetAction(parse =>
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
        return command;
    }
}
