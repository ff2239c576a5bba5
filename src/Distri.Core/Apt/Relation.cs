namespace Distri.Core.Apt;

/// <summary>
/// One alternative of a Depends field: <c>name[:archqual] [(op version)]</c>, e.g. <c>libc6 (&gt;= 2.34)</c>,
/// <c>perl:any</c>, <c>python3:native (&lt;&lt; 3.12)</c>. Architecture restrictions (<c>[amd64]</c>) and build
/// profiles (<c>&lt;!nocheck&gt;</c>) belong to source packages and are dropped.
/// </summary>
public sealed record Relation(string Package, string? ArchQualifier, string? Operator, string? Version)
{
    public override string ToString() =>
        Package + (ArchQualifier is null ? "" : ":" + ArchQualifier) + (Operator is null ? "" : $" ({Operator} {Version})");

    /// <summary>"a (>= 1) | b:any, c" → [[a (>= 1), b:any], [c]].</summary>
    public static IReadOnlyList<IReadOnlyList<Relation>> ParseGroups(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return [];
        }

        var groups = new List<IReadOnlyList<Relation>>();
        foreach (string group in value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var alternatives = new List<Relation>();
            foreach (string alternative in group.Split('|', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                alternatives.Add(Parse(alternative));
            }

            if (alternatives.Count > 0)
            {
                groups.Add(alternatives);
            }
        }

        return groups;
    }

    public static Relation Parse(string text)
    {
        string s = text.Trim();
        string? op = null, version = null;
        int paren = s.IndexOf('(');
        if (paren >= 0)
        {
            int close = s.IndexOf(')', paren);
            if (close < 0)
            {
                throw new InvalidDataException($"relation '{text}': unclosed '('");
            }

            string inside = s[(paren + 1)..close].Trim();
            int split = 0;
            while (split < inside.Length && inside[split] is '<' or '>' or '=')
            {
                split++;
            }

            op = inside[..split];
            version = inside[split..].Trim();
            if (op is not ("<<" or "<=" or "=" or ">=" or ">>" or "<" or ">") || version.Length == 0)
            {
                throw new InvalidDataException($"relation '{text}': bad version constraint '({inside})'");
            }

            s = (s[..paren] + s[(close + 1)..]).Trim();
        }

        // Architecture restrictions and build profiles, outside the version constraint.
        int bracket = s.IndexOfAny(['[', '<']);
        if (bracket > 0)
        {
            s = s[..bracket].Trim();
        }

        string? qualifier = null;
        int colon = s.IndexOf(':');
        if (colon >= 0)
        {
            qualifier = s[(colon + 1)..].Trim();
            s = s[..colon].Trim();
        }

        if (s.Length == 0 || s.Any(char.IsWhiteSpace))
        {
            throw new InvalidDataException($"relation '{text}': bad package name");
        }

        return new Relation(s, qualifier, op, version);
    }
}
