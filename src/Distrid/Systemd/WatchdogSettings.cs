using System.Globalization;

namespace Distrid.Systemd;

/// <summary>
/// sd_watchdog_enabled(3): WATCHDOG_USEC set (and WATCHDOG_PID absent or this process) means systemd expects
/// WATCHDOG=1 at least that often; we ping at half the interval, as systemd recommends.
/// </summary>
public static class WatchdogSettings
{
    /// <summary>The ping interval, or null when no watchdog applies to this process.</summary>
    public static TimeSpan? PingInterval(string? watchdogUsec, string? watchdogPid, int pid)
    {
        if (!ulong.TryParse(watchdogUsec, NumberStyles.None, CultureInfo.InvariantCulture, out ulong usec) || usec == 0)
        {
            return null;
        }

        if (!string.IsNullOrEmpty(watchdogPid)
            && (!int.TryParse(watchdogPid, NumberStyles.None, CultureInfo.InvariantCulture, out int forPid) || forPid != pid))
        {
            return null;
        }

        // Half the timeout, never below 1 ms, never above what TimeSpan and timers take.
        ulong halfMicroseconds = Math.Clamp(usec / 2, 1000UL, (ulong)int.MaxValue * 1000UL);
        return TimeSpan.FromMicroseconds(halfMicroseconds);
    }

    /// <summary>Reads and unsets WATCHDOG_USEC and WATCHDOG_PID of this process.</summary>
    public static TimeSpan? FromEnvironment()
    {
        var interval = PingInterval(
            Environment.GetEnvironmentVariable("WATCHDOG_USEC"), Environment.GetEnvironmentVariable("WATCHDOG_PID"), Environment.ProcessId);
        Environment.SetEnvironmentVariable("WATCHDOG_USEC", null);
        Environment.SetEnvironmentVariable("WATCHDOG_PID", null);
        return interval;
    }
}
