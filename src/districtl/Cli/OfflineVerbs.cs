using System.CommandLine;
using Districtl.Commands;

namespace Districtl.Cli;

/// <summary>
/// The verbs that need no daemon: pack, unpack, keygen, import-deb, repo build and repo import-apt. The thin client
/// (DistrictlFlavor=thin) does not contain them and hands their command lines to districtl-tools
/// (<see cref="OfflineTool"/>). It decides from the words alone, before it builds its command tree, so that a start
/// for an offline verb costs no parsing; it reads the words as the parser does up to the verb (the global options
/// --socket and --json may come first, and after <c>repo</c>) and leaves to the parser whatever it is not sure of.
/// </summary>
internal static class OfflineVerbs
{
    private static readonly string[] TopLevel = [PackCommand.Verb, UnpackCommand.Verb, KeygenCommand.Verb, ImportDebCommand.Verb];
    private static readonly string[] UnderRepo = [RepoBuildCommand.Verb, RepoImportAptCommand.Verb];

    /// <summary>
    /// True when <paramref name="args"/> (without the program name) ask for an offline verb. False for a daemon verb,
    /// and also when the words cannot be read without the parser (no verb, an unknown option or a response file
    /// before it): the parser then decides, and the thin client's offline commands still hand over what it finds.
    /// </summary>
    public static bool IsOfflineCommandLine(IReadOnlyList<string> args)
    {
        int next = 0;
        string? verb = NextWord(args, ref next);
        if (verb is null)
        {
            return false;
        }

        if (TopLevel.Contains(verb, StringComparer.Ordinal))
        {
            return true;
        }

        if (verb != RepoBuildCommand.RepoVerb)
        {
            return false;
        }

        next++;
        string? under = NextWord(args, ref next);
        return under is not null && UnderRepo.Contains(under, StringComparer.Ordinal);
    }

    /// <summary>The offline commands of a command tree built by <see cref="CliApplication.BuildRootCommand"/>.</summary>
    public static IEnumerable<Command> In(RootCommand root)
    {
        foreach (var command in root.Subcommands)
        {
            if (TopLevel.Contains(command.Name, StringComparer.Ordinal))
            {
                yield return command;
            }
            else if (command.Name == RepoBuildCommand.RepoVerb)
            {
                foreach (var under in command.Subcommands.Where(c => UnderRepo.Contains(c.Name, StringComparer.Ordinal)))
                {
                    yield return under;
                }
            }
        }
    }

    /// <summary>
    /// The first word from <paramref name="next"/> on that is not a global option or the value of one, leaving
    /// <paramref name="next"/> at it; null when there is none or it is one the parser must read (another option,
    /// <c>--</c>, a response file <c>@FILE</c>).
    /// </summary>
    private static string? NextWord(IReadOnlyList<string> args, ref int next)
    {
        for (; next < args.Count; next++)
        {
            string word = args[next];
            if (word == GlobalOptions.Socket.Name)
            {
                next++;
                continue;
            }

            if (word == GlobalOptions.Json.Name || IsAttachedValue(word, GlobalOptions.Socket.Name))
            {
                continue;
            }

            return word.StartsWith('-') || word.StartsWith('@') ? null : word;
        }

        return null;
    }

    /// <summary>--socket=PATH or --socket:PATH, one word.</summary>
    private static bool IsAttachedValue(string word, string option) =>
        word.Length > option.Length && word.StartsWith(option, StringComparison.Ordinal) && word[option.Length] is '=' or ':';
}
