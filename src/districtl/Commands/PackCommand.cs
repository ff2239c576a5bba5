using System.CommandLine;
using Distri.Core.SquashFs.Format;

namespace Districtl.Commands;

/// <summary>
/// <c>districtl pack DIR --name N --version V --revision R ... -o OUTDIR</c>: a tree into a package image. This file is
/// the verb's command line (every flavour has it); what it does is in PackCommand.Action.cs (not in the thin client).
/// </summary>
internal static partial class PackCommand
{
    public const string Verb = "pack";

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
        var command = new Command(Verb, "make a package image from a directory (offline)")
        {
            Directory, Name, Version, Revision, Arch, Dependencies, Summary, Compression, BlockSize, NoFragments, Output,
        };
        Compression.AcceptOnlyFromAmong("none", "zstd", "gzip");
        AddAction(command);
        return command;
    }

    /// <summary>Sets the verb's action; without PackCommand.Action.cs (the thin client) the call is compiled away.</summary>
    static partial void AddAction(Command command);
}
