using System.Buffers.Text;

namespace Distrid.Api.Authorization;

/// <summary>Reads a process's start time (clock ticks since boot) from /proc/PID/stat.</summary>
internal static class ProcStat
{
    /// <summary>Field 22 of the stat line; 0 when the process is gone (polkit then refuses the subject).</summary>
    public static ulong ReadStartTime(int pid)
    {
        Span<byte> buffer = stackalloc byte[1024];
        try
        {
            using var file = File.OpenHandle($"/proc/{pid}/stat");
            int length = RandomAccess.Read(file, buffer, 0);
            return TryParseStartTime(buffer[..length], out ulong startTime) ? startTime : 0;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return 0;
        }
    }

    /// <summary>
    /// Parses field 22 (starttime) of a stat line. Field 2 is the command name in parentheses and may itself
    /// contain spaces and ')', so counting starts after the LAST ')': the next field is 3 (state).
    /// </summary>
    public static bool TryParseStartTime(ReadOnlySpan<byte> stat, out ulong startTime)
    {
        startTime = 0;
        int close = stat.LastIndexOf((byte)')');
        if (close < 0)
        {
            return false;
        }

        var rest = stat[(close + 1)..];
        for (int field = 3; field <= 22; field++)
        {
            rest = rest.TrimStart((byte)' ');
            int end = rest.IndexOfAny((byte)' ', (byte)'\n');
            var value = end < 0 ? rest : rest[..end];
            if (value.IsEmpty)
            {
                return false;
            }

            if (field == 22)
            {
                return Utf8Parser.TryParse(value, out startTime, out int consumed) && consumed == value.Length;
            }

            rest = end < 0 ? [] : rest[end..];
        }

        return false;
    }
}
