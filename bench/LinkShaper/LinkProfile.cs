using System.Globalization;

namespace LinkShaper;

/// <summary>
/// What the shaped link looks like: its rate in bits per second (0: unlimited) and its round-trip time.
/// Each direction gets its own <see cref="RateBitsPerSecond"/> (a full-duplex link) and half the round trip.
/// </summary>
public sealed record LinkProfile(long RateBitsPerSecond, TimeSpan RoundTrip)
{
    /// <summary>
    /// How far ahead of the link's clock a connection may queue its chunks. The queued slots keep the link busy
    /// while the shaper waits for a timer that fires late or a thread the scheduler starves on a loaded machine, so
    /// lateness below this costs no throughput (10 ms was measured too little at a load average of 48 on 2 CPUs);
    /// it is also the granularity at which connections share the link.
    /// </summary>
    public TimeSpan Lookahead { get; init; } = TimeSpan.FromMilliseconds(50);

    public TimeSpan OneWay => RoundTrip / 2;

    public double BytesPerSecond => RateBitsPerSecond / 8.0;

    /// <summary>Parses a rate such as <c>20mbit</c>, <c>1gbit</c>, <c>500kbit</c>, <c>100000000</c> (bit/s) or <c>0</c>.</summary>
    public static long ParseRate(string text)
    {
        string t = text.Trim().ToLowerInvariant();
        (string suffix, long factor)[] units = [("gbit", 1_000_000_000), ("mbit", 1_000_000), ("kbit", 1_000), ("bit", 1)];
        foreach ((string suffix, long factor) in units)
        {
            if (t.EndsWith(suffix, StringComparison.Ordinal))
            {
                return checked((long)(ParseNumber(t[..^suffix.Length], text) * factor));
            }
        }
        return checked((long)ParseNumber(t, text));
    }

    /// <summary>Parses a duration such as <c>40ms</c>, <c>0.04s</c> or <c>40</c> (milliseconds).</summary>
    public static TimeSpan ParseDuration(string text)
    {
        string t = text.Trim().ToLowerInvariant();
        if (t.EndsWith("ms", StringComparison.Ordinal))
        {
            return TimeSpan.FromMilliseconds(ParseNumber(t[..^2], text));
        }
        if (t.EndsWith('s'))
        {
            return TimeSpan.FromSeconds(ParseNumber(t[..^1], text));
        }
        return TimeSpan.FromMilliseconds(ParseNumber(t, text));
    }

    private static double ParseNumber(string number, string original)
    {
        if (!double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out double value) || value < 0 || value > 1e12)
        {
            throw new FormatException($"not a rate or duration: '{original}'");
        }
        return value;
    }
}
