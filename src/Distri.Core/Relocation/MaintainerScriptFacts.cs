using System.Globalization;
using System.Text.RegularExpressions;

namespace Distri.Core.Relocation;

/// <summary>
/// What a package's maintainer scripts would have done, read from their text because we never run them:
/// <c>update-alternatives --install</c> and <c>ucf</c> calls with literal arguments (pure, so they become links at import), and
/// commands that change the host (adduser, addgroup, useradd, groupadd, setcap), which are only recorded.
/// </summary>
internal static partial class MaintainerScriptFacts
{
    /// <summary>One link an alternative makes: <paramref name="Link"/> (absolute Debian path) → <paramref name="Target"/>.</summary>
    public sealed record Alternative(string Name, string Link, string Target, int Priority);

    public static IReadOnlyList<Alternative> Alternatives(string scripts, Action<string> impure)
    {
        var result = new List<Alternative>();
        foreach (string line in JoinContinuations(scripts))
        {
            string trimmed = line.Trim();
            int at = trimmed.IndexOf("update-alternatives --install ", StringComparison.Ordinal);
            if (at < 0 || trimmed.StartsWith('#'))
            {
                continue;
            }

            string call = CutAtShellOperator(trimmed[at..]);
            string[] words = call.Split((char[])[' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
            if (words.Any(w => w.Contains('$') || w.Contains('`') || w.Contains('"') || w.Contains('\'')))
            {
                impure(call);
                continue;
            }

            // update-alternatives --install LINK NAME PATH PRIORITY [--slave LINK NAME PATH]...
            if (words.Length < 6 || !int.TryParse(words[5], NumberStyles.Integer, CultureInfo.InvariantCulture, out int priority))
            {
                impure(call);
                continue;
            }

            result.Add(new Alternative(words[3], words[2], words[4], priority));
            for (int i = 6; i + 3 < words.Length + 0 && words[i] == "--slave"; i += 4)
            {
                result.Add(new Alternative(words[i + 2], words[i + 1], words[i + 3], priority));
            }
        }

        return result;
    }

    /// <summary>One configuration file <c>ucf</c> installs: <paramref name="Destination"/> (under /etc) gets <paramref name="Source"/>'s content; both absolute Debian paths.</summary>
    public sealed record ConfigurationFile(string Source, string Destination);

    /// <summary>
    /// <c>ucf [OPTIONS] SOURCE DESTINATION</c> calls with literal paths: the postinst copies a template the package
    /// ships to /etc (libreoffice-common's registry files). Arguments may be double-quoted; a call built from
    /// variables, or a purge, is no file.
    /// </summary>
    public static IReadOnlyList<ConfigurationFile> ConfigurationFiles(string scripts)
    {
        var result = new List<ConfigurationFile>();
        foreach (string line in JoinContinuations(scripts))
        {
            if (line.TrimStart().StartsWith('#') || UcfCall().Match(line) is not { Success: true } match)
            {
                continue;
            }

            string[] words = CutAtShellOperator(match.Groups["arguments"].Value).Split((char[])[' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
            var operands = new List<string>();
            bool usable = true;
            for (int i = 0; i < words.Length && usable; i++)
            {
                string word = words[i];
                if (word is "--sum-file" or "--state-dir")
                {
                    i++;
                }
                else if (word.StartsWith('-'))
                {
                    usable = word is not ("--purge" or "-p");
                }
                else
                {
                    string unquoted = word.Length >= 2 && word[0] == '"' && word[^1] == '"' ? word[1..^1] : word;
                    usable = unquoted.StartsWith('/') && unquoted.IndexOfAny(['$', '`', '"', '\'', '*', '?']) < 0;
                    operands.Add(unquoted);
                }
            }

            if (usable && operands.Count == 2)
            {
                result.Add(new ConfigurationFile(operands[0], operands[1]));
            }
        }

        return result;
    }

    public static IReadOnlyList<string> HostRequirements(string scripts)
    {
        var result = new SortedSet<string>(StringComparer.Ordinal);
        foreach (string line in JoinContinuations(scripts))
        {
            if (line.TrimStart().StartsWith('#'))
            {
                continue;
            }

            foreach (Match match in HostCommand().Matches(line))
            {
                result.Add(Regex.Replace(match.Groups["command"].Value.Trim(), @"\s+", " "));
            }
        }

        return [.. result];
    }

    private static IEnumerable<string> JoinContinuations(string text) => text.Replace("\\\n", " ", StringComparison.Ordinal).Split('\n');

    private static string CutAtShellOperator(string call)
    {
        int end = call.IndexOfAny([';', '|', '&', '>', '<']);
        return end < 0 ? call : call[..end];
    }

    [GeneratedRegex(@"(?:^|[;&|]\s*|\b(?:if|then|else|do)\s+)\s*ucf\s+(?<arguments>[^;|&>]+)")]
    private static partial Regex UcfCall();

    // A command in command position (line start, after ; && || or if/then/else/do), not an argument of "command -v".
    [GeneratedRegex(@"(?:^|[;&|]\s*|\b(?:if|then|else|do)\s+)\s*(?<command>(?:adduser|addgroup|useradd|groupadd|setcap)\s+[^;|&>]+)")]
    private static partial Regex HostCommand();
}
