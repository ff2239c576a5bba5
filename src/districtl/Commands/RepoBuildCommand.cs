using System.CommandLine;

namespace Districtl.Commands;

/// <summary>
/// <c>districtl repo build DIR [--key KEY]</c>: turns DIR/pkg/*.squashfs (+ .meta.json) into a mirror with index.json,
/// zstd transport copies, the AppStream catalog (appstream/) and, with a key, index.json.sig. Returns the <c>repo</c> command with <c>build</c> under it.
/// The verb's command line; what it does is in RepoBuildCommand.Action.cs (not in the thin client).
/// </summary>
internal static partial class RepoBuildCommand
{
    public const string RepoVerb = "repo";
    public const string Verb = "build";

    private static readonly Argument<string> Dir = new("DIR") { Description = "Repository directory holding pkg/<fullname>.squashfs and .meta.json files" };
    private static readonly Option<string?> Key = new("--key") { Description = "Signing key: PREFIX or PREFIX.key as written by 'districtl keygen'" };
    private static readonly Option<int> Level = new("--zstd-level")
    {
        Description = "zstd level of the .squashfs.zst transport copies (1-22)",
        DefaultValueFactory = _ => 19,
    };

    public static Command Create()
    {
        var build = new Command(Verb, "Build (or rebuild) a repository index, transport copies and signature") { Dir, Key, Level };
        AddAction(build);
        return new Command(RepoVerb, "Offline repository tools") { build };
    }

    /// <summary>Sets the verb's action; without RepoBuildCommand.Action.cs (the thin client) the call is compiled away.</summary>
    static partial void AddAction(Command command);
}
