using System.CommandLine;

namespace Districtl.Commands;

/// <summary>
/// <c>districtl import-deb DEB... -o OUTDIR</c>: Debian binary packages (as <c>apt-get download</c> writes them)
/// into Distrid packages, dependencies resolved among the given files. When the files form a complete closure
/// (every library, interpreter and /bin/sh their files need is among them) they are relocated to run from /ro
/// alone (<see cref="Distri.Core.Relocation.ClosureRelocator"/>); when not, each missing thing is named on one line and nothing is
/// written, unless <c>--no-relocate</c> asks for the plain import (which uses the host's files at run time).
/// One line per package; a bad .deb gets one line on stderr and the exit status is 1. The verb's command line; what it
/// does is in ImportDebCommand.Action.cs (not in the thin client).
/// </summary>
internal static partial class ImportDebCommand
{
    public const string Verb = "import-deb";

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
        var command = new Command(Verb, "turn Debian .deb files into package images (offline)") { Debs, Output, Compression, Revision, NoRelocate };
        Compression.AcceptOnlyFromAmong("none", "zstd", "gzip");
        AddAction(command);
        return command;
    }

    /// <summary>Sets the verb's action; without ImportDebCommand.Action.cs (the thin client) the call is compiled away.</summary>
    static partial void AddAction(Command command);
}
