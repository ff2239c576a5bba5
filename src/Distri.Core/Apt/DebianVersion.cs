namespace Distri.Core.Apt;

/// <summary>
/// Debian version ordering (Debian Policy 5.6.12): <c>[epoch:]upstream[-revision]</c>, compared epoch first
/// (numerically), then upstream, then revision. Each part alternates non-digit runs, compared character by character
/// where '~' sorts before everything (even the end of the string) and letters before other characters, and digit runs
/// compared numerically. An absent revision compares like "0".
/// </summary>
public static class DebianVersion
{
    /// <summary>Negative, zero or positive as <paramref name="a"/> is older than, equal to or newer than <paramref name="b"/>.</summary>
    public static int Compare(string a, string b)
    {
        Split(a, out long epochA, out var upstreamA, out var revisionA);
        Split(b, out long epochB, out var upstreamB, out var revisionB);
        int c = epochA.CompareTo(epochB);
        if (c == 0)
        {
            c = ComparePart(upstreamA, upstreamB);
        }

        return c != 0 ? c : ComparePart(revisionA, revisionB);
    }

    /// <summary>True when <paramref name="version"/> satisfies <c>op constraint</c> (op one of &lt;&lt; &lt;= = &gt;= &gt;&gt;, and the obsolete &lt; &gt;).</summary>
    public static bool Satisfies(string version, string op, string constraint)
    {
        int c = Compare(version, constraint);
        return op switch
        {
            "<<" => c < 0,
            "<=" or "<" => c <= 0,
            "=" => c == 0,
            ">=" or ">" => c >= 0,
            ">>" => c > 0,
            _ => throw new FormatException($"unknown version relation '{op}'"),
        };
    }

    private static void Split(string version, out long epoch, out ReadOnlySpan<char> upstream, out ReadOnlySpan<char> revision)
    {
        var rest = version.AsSpan().Trim();
        epoch = 0;
        int colon = rest.IndexOf(':');
        if (colon > 0 && long.TryParse(rest[..colon], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out long e))
        {
            epoch = e;
            rest = rest[(colon + 1)..];
        }

        int dash = rest.LastIndexOf('-');
        if (dash >= 0)
        {
            upstream = rest[..dash];
            revision = rest[(dash + 1)..];
        }
        else
        {
            upstream = rest;
            revision = "";
        }
    }

    private static int ComparePart(ReadOnlySpan<char> a, ReadOnlySpan<char> b)
    {
        int i = 0, j = 0;
        while (i < a.Length || j < b.Length)
        {
            // Non-digit prefix, character by character; an exhausted side counts as weight 0.
            while ((i < a.Length && !char.IsAsciiDigit(a[i])) || (j < b.Length && !char.IsAsciiDigit(b[j])))
            {
                int wa = i < a.Length && !char.IsAsciiDigit(a[i]) ? Weight(a[i]) : 0;
                int wb = j < b.Length && !char.IsAsciiDigit(b[j]) ? Weight(b[j]) : 0;
                if (wa != wb)
                {
                    return wa - wb;
                }

                if (i < a.Length && !char.IsAsciiDigit(a[i]))
                {
                    i++;
                }

                if (j < b.Length && !char.IsAsciiDigit(b[j]))
                {
                    j++;
                }
            }

            // Digit run, numerically: skip leading zeros, then the longer run is bigger, else the first differing digit.
            while (i < a.Length && a[i] == '0')
            {
                i++;
            }

            while (j < b.Length && b[j] == '0')
            {
                j++;
            }

            int startA = i, startB = j;
            while (i < a.Length && char.IsAsciiDigit(a[i]))
            {
                i++;
            }

            while (j < b.Length && char.IsAsciiDigit(b[j]))
            {
                j++;
            }

            var digitsA = a[startA..i];
            var digitsB = b[startB..j];
            if (digitsA.Length != digitsB.Length)
            {
                return digitsA.Length - digitsB.Length;
            }

            int c = digitsA.SequenceCompareTo(digitsB);
            if (c != 0)
            {
                return c;
            }
        }

        return 0;
    }

    // dpkg's order: '~' below the end of the part (0), letters by code, then everything else above letters.
    private static int Weight(char c) => c switch
    {
        '~' => -1,
        _ when char.IsAsciiLetter(c) => c,
        _ => c + 256,
    };
}
