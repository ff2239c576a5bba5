using System.Globalization;

namespace Distrid.Transactions.Scheduled;

/// <summary>
/// The daily time span in which a scheduled update may be applied, in the daemon's local time, written
/// <c>"HH:MM-HH:MM"</c> (start inclusive, end exclusive). A span whose end is before its start runs over midnight
/// (<c>"23:00-02:00"</c>); equal ends are refused because they would be ambiguous (never or always).
/// </summary>
public sealed record MaintenanceWindow(TimeOnly Start, TimeOnly End)
{
    public bool Contains(TimeOnly time) => Start < End ? time >= Start && time < End : time >= Start || time < End;

    public static MaintenanceWindow Parse(string text)
    {
        var parts = text.Split('-');
        if (parts.Length != 2 || !TryParseTime(parts[0], out var start) || !TryParseTime(parts[1], out var end))
        {
            throw new FormatException($"maintenance window \"{Distri.Core.Text.EchoText.Cap(text)}\" is not HH:MM-HH:MM (e.g. \"03:00-05:00\")");
        }

        return start == end
            ? throw new FormatException($"maintenance window \"{text}\" is empty: start and end are the same time (leave it out to allow any time)")
            : new MaintenanceWindow(start, end);
    }

    public override string ToString() => $"{Start:HH\\:mm}-{End:HH\\:mm}";

    private static bool TryParseTime(string text, out TimeOnly time) =>
        TimeOnly.TryParseExact(text.Trim(), ["HH:mm", "H:mm"], CultureInfo.InvariantCulture, DateTimeStyles.None, out time);
}
