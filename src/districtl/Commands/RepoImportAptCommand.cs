using System.CommandLine;

namespace Districtl.Commands;

/// <summary>
/// <c>districtl repo import-apt --source URL --suite SUITE [--component C]... [--arch A] [--keyring FILE]
/// [--allow-unsigned] PACKAGE... -o REPO [--key PREFIX] [--cache DIR] [--zstd-level N] [--parallel N]</c>: the verified, relocated closure of
/// PACKAGEs from an apt archive into REPO/pkg/, incrementally (see <see cref="Distri.Core.Apt.AptImporter"/>). One line per package;
/// any failure is one line on stderr, exit status 1, and REPO unchanged. The verb's command line; what it does is in
/// RepoImportAptCommand.Action.cs (not in the thin client).
/// </summary>
internal static partial class RepoImportAptCommand
{
    public const string Verb = "import-apt";

    private static readonly Option<string> Source = new("--source") { Description = "Archive root URL, e.g. http://deb.debian.org/debian", Required = true };
    private static readonly Option<string> Suite = new("--suite") { Description = "Suite (codename) under dists/, e.g. bookworm", Required = true };
    private static readonly Option<string[]> Components = new("--component") { Description = "Component to read (repeatable; default main)", AllowMultipleArgumentsPerToken = false };
    private static readonly Option<string> Arch = new("--arch") { Description = "Debian architecture: amd64, arm64 or i386", DefaultValueFactory = _ => "amd64" };
    private static readonly Option<string> Keyring = new("--keyring") { Description = "OpenPGP keyring the Release signature must verify against", DefaultValueFactory = _ => Distri.Core.Apt.ReleaseVerifier.DefaultKeyring };
    private static readonly Option<bool> AllowUnsigned = new("--allow-unsigned") { Description = "Accept an archive without a valid signature (hashes are still checked)" };
    private static readonly Argument<string[]> Packages = new("PACKAGE") { Description = "Packages whose closure to import (name, or name=version)", Arity = ArgumentArity.OneOrMore };
    private static readonly Option<string> Output = new("-o", "--output") { Description = "Repository directory (REPO/pkg/ receives the images)", Required = true };
    private static readonly Option<string?> Key = new("--key") { Description = "Signing key PREFIX: index and sign REPO as 'repo build' does" };
    private static readonly Option<string?> Cache = new("--cache") { Description = "Where verified .debs are kept between runs (default REPO/.cache/debs)" };
    private static readonly Option<int> Level = new("--zstd-level") { Description = "zstd level of the .squashfs.zst transport copies (1-22), as 'repo build'", DefaultValueFactory = _ => 19 };
    private static readonly Option<int> Parallel = new("--parallel") { Description = "Downloads at once", DefaultValueFactory = _ => 4 };

    public static Command Create()
    {
        var command = new Command(Verb, "Import the closure of packages from an apt archive, verified and relocated")
        {
            Source, Suite, Components, Arch, Keyring, AllowUnsigned, Packages, Output, Key, Cache, Level, Parallel,
        };
        AddAction(command);
        return command;
    }

    /// <summary>Sets the verb's action; without RepoImportAptCommand.Action.cs (the thin client) the call is compiled away.</summary>
    static partial void AddAction(Command command);
}
