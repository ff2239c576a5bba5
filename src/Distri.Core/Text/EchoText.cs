namespace Distri.Core.Text;

/// <summary>
/// Bounds what an error message repeats back from its input. A caller may send a 10,000-character package name;
/// echoing it whole would let one request make every log line and reply as large as the request, so every message
/// that quotes input goes through here.
/// </summary>
public static class EchoText
{
    /// <summary>How many characters of one quoted input a message keeps.</summary>
    public const int MaxQuotedChars = 200;

    /// <summary>How long a whole one-line message may get (several quotes plus prose).</summary>
    public const int MaxMessageChars = 1000;

    /// <summary>
    /// <paramref name="value"/> as a message may show it: at most <see cref="MaxQuotedChars"/> characters, the rest
    /// replaced by an ellipsis and the full length; control characters (line breaks) become spaces.
    /// </summary>
    public static string Cap(string? value) => Bound(value ?? "", MaxQuotedChars, withLength: true);

    /// <summary>A message reduced to one line of at most <see cref="MaxMessageChars"/> characters.</summary>
    public static string OneLine(string? message) => Bound(message ?? "", MaxMessageChars, withLength: false);

    private static string Bound(string value, int max, bool withLength)
    {
        bool tooLong = value.Length > max;
        bool hasControl = value.AsSpan(0, Math.Min(value.Length, max)).IndexOfAnyInRange('\0', '\x1f') >= 0;
        if (!tooLong && !hasControl)
        {
            return value;
        }

        var kept = value.AsSpan(0, Math.Min(value.Length, max)).ToArray();
        for (int i = 0; i < kept.Length; i++)
        {
            if (char.IsControl(kept[i]))
            {
                kept[i] = ' ';
            }
        }

        // Never cut a surrogate pair in half: the reply must stay valid UTF-16 (and so valid UTF-8 on the wire).
        int length = kept.Length;
        if (tooLong && length > 0 && char.IsHighSurrogate(kept[length - 1]))
        {
            length--;
        }

        string head = new(kept, 0, length);
        return !tooLong ? head : withLength ? $"{head}… ({value.Length} characters)" : head + "…";
    }
}
