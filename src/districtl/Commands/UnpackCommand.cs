using System.CommandLine;

namespace Districtl.Commands;

/// <summary>
/// <c>districtl unpack IMAGE DIR</c>: restores an image's tree (types, modes, owners as root, mtimes, links, xattrs).
/// The verb's command line; what it does is in UnpackCommand.Action.cs (not in the thin client).
/// </summary>
internal static partial class UnpackCommand
{
    public const string Verb = "unpack";

    private static readonly Argument<string> Image = new("IMAGE") { Description = "a SquashFS image" };
    private static readonly Argument<string> Directory = new("DIR") { Description = "where to unpack (must not exist or be empty)" };

    public static Command Create()
    {
        var command = new Command(Verb, "unpack an image into a directory (offline)") { Image, Directory };
        AddAction(command);
        return command;
    }

    /// <summary>Sets the verb's action; without UnpackCommand.Action.cs (the thin client) the call is compiled away.</summary>
    static partial void AddAction(Command command);
}
