namespace Distri.Core.Apt;

/// <summary>
/// Reads deb822 paragraphs ("Field: value" lines, continuation lines starting with a space or tab, paragraphs
/// separated by blank lines) as Release and Packages files hold them. Bounded: a field or a paragraph larger than
/// the caps is refused rather than buffered.
/// </summary>
public static class Deb822Reader
{
    public const int MaxParagraphChars = 4 << 20;

    /// <summary>The paragraphs of <paramref name="reader"/>; with <paramref name="keep"/>, only those fields are stored (a Packages index is mostly descriptions).</summary>
    public static IEnumerable<Dictionary<string, string>> ReadParagraphs(TextReader reader, IReadOnlySet<string>? keep = null)
    {
        var fields = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        string? current = null;
        long paragraphChars = 0;
        while (reader.ReadLine() is { } line)
        {
            paragraphChars += line.Length + 1;
            if (paragraphChars > MaxParagraphChars)
            {
                throw new InvalidDataException($"a paragraph is larger than {MaxParagraphChars} characters");
            }

            if (line.Length == 0 || line.Trim().Length == 0)
            {
                if (fields.Count > 0)
                {
                    yield return fields;
                    fields = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
                }

                current = null;
                paragraphChars = 0;
                continue;
            }

            if (line[0] is ' ' or '\t')
            {
                if (current is null)
                {
                    throw new InvalidDataException($"continuation line without a field: '{Shorten(line)}'");
                }

                if (fields.ContainsKey(current))
                {
                    fields[current] += "\n" + line.Trim();
                }

                continue;
            }

            if (line[0] == '#')
            {
                continue;
            }

            int colon = line.IndexOf(':');
            if (colon <= 0)
            {
                throw new InvalidDataException($"malformed line '{Shorten(line)}'");
            }

            current = line[..colon].Trim();
            if (keep is null || keep.Contains(current))
            {
                fields[current] = line[(colon + 1)..].Trim();
            }
        }

        if (fields.Count > 0)
        {
            yield return fields;
        }
    }

    private static string Shorten(string line) => line.Length <= 80 ? line : line[..80] + "...";
}
