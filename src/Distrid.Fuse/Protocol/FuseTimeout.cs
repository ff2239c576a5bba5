namespace Distrid.Fuse.Protocol;

/// <summary>Converts between <see cref="TimeSpan"/> and the protocol's (seconds, nanoseconds) timeout pairs.</summary>
public static class FuseTimeout
{
    /// <summary>About one year: what immutable data uses. The kernel saturates larger values safely.</summary>
    public static readonly TimeSpan Immutable = TimeSpan.FromDays(365);

    public static void Split(TimeSpan value, out ulong seconds, out uint nanoseconds)
    {
        if (value <= TimeSpan.Zero)
        {
            seconds = 0;
            nanoseconds = 0;
            return;
        }

        seconds = (ulong)(value.Ticks / TimeSpan.TicksPerSecond);
        nanoseconds = (uint)(value.Ticks % TimeSpan.TicksPerSecond * 100);
    }

    public static TimeSpan ToTimeSpan(ulong seconds, uint nanoseconds)
    {
        const ulong maxSeconds = (ulong)(long.MaxValue / TimeSpan.TicksPerSecond) - 1;
        if (seconds > maxSeconds)
        {
            return TimeSpan.MaxValue;
        }

        return new TimeSpan(((long)seconds * TimeSpan.TicksPerSecond) + (nanoseconds / 100));
    }
}
