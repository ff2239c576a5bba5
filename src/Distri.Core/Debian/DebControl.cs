namespace Distri.Core.Debian;

/// <summary>One alternative of a dependency: "libc6 (>= 2.34)" or "perl:any"; only the package name is used.</summary>
public sealed record DebRelation(string Package);

/// <summary>The fields of a binary package's <c>control</c> file that the importer uses.</summary>
public sealed record DebControl
{
    private const int MaxControlBytes = 1 << 20;

    public required string Package { get; init; }

    public required string Version { get; init; }

    public required string Architecture { get; init; }

    /// <summary>The first line of Description (the synopsis).</summary>
    public string Summary { get; init; } = "";

    /// <summary>Pre-Depends then Depends: each group is a list of alternatives ("a | b").</summary>
    public IReadOnlyList<IReadOnlyList<DebRelation>> Depends { get; init; } = [];

    /// <summary>Virtual package names this package provides.</summary>
    public IReadOnlyList<string> Provides { get; init; } = [];

    /// <summary>Parses RFC-822-style deb822 text: "Field: value", continuation lines start with a space or tab.</summary>
    public static DebControl Parse(string text)
    {
        if (text.Length > MaxControlBytes)
        {
            throw new InvalidDataException("control file is larger than 1 MiB");
        }

        var fields = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        string? current = null;
        foreach (string line in text.Split('\n'))
        {
            if (line.Length == 0)
            {
                if (fields.Count > 0)
                {
                    break; // a binary package's control file has one paragraph
                }

                continue;
            }

            if (line[0] is ' ' or '\t')
            {
                if (current is not null)
                {
                    fields[current] += "\n" + line.Trim();
                }

                continue;
            }

            int colon = line.IndexOf(':');
            if (colon <= 0)
            {
                throw new InvalidDataException($"control file: malformed line '{line}'");
            }

            current = line[..colon].Trim();
            fields[current] = line[(colon + 1)..].Trim();
        }

        string Required(string field) =>
            fields.TryGetValue(field, out string? value) && value.Length > 0
                ? value
                : throw new InvalidDataException($"control file has no {field} field");

        string description = fields.GetValueOrDefault("Description") ?? "";
        return new DebControl
        {
            Package = Required("Package"),
            Version = Required("Version"),
            Architecture = Required("Architecture"),
            Summary = description.Split('\n')[0].Trim(),
            Depends = [.. ParseRelations(fields.GetValueOrDefault("Pre-Depends")), .. ParseRelations(fields.GetValueOrDefault("Depends"))],
            Provides = [.. ParseRelations(fields.GetValueOrDefault("Provides")).Select(group => group[0].Package)],
        };
    }

    /// <summary>"a (>= 1) | b:any, c [amd64]" → [[a, b], [c]]: names only, version and arch qualifiers dropped.</summary>
    public static IReadOnlyList<IReadOnlyList<DebRelation>> ParseRelations(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return [];
        }

        var groups = new List<IReadOnlyList<DebRelation>>();
        foreach (string group in value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var alternatives = new List<DebRelation>();
            foreach (string alternative in group.Split('|', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                int end = alternative.IndexOfAny([' ', '\t', '\n', '(', '[', '<', ':']);
                string name = end < 0 ? alternative : alternative[..end];
                if (name.Length > 0)
                {
                    alternatives.Add(new DebRelation(name));
                }
            }

            if (alternatives.Count > 0)
            {
                groups.Add(alternatives);
            }
        }

        return groups;
    }
}
