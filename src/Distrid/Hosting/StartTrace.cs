namespace Distrid.Hosting;

internal static class StartTrace
{
    private static readonly bool Enabled = Environment.GetEnvironmentVariable("DISTRID_START_TRACE") == "1";

    public static void Mark(string what)
    {
        if (Enabled)
        {
            Console.Error.WriteLine($"trace {DateTime.UtcNow:HH:mm:ss.fff} {what} jit={System.Runtime.JitInfo.GetCompiledMethodCount()} jitms={System.Runtime.JitInfo.GetCompilationTime().TotalMilliseconds:F0} cpu={Environment.CpuUsage.TotalTime.TotalMilliseconds:F0}");
        }
    }
}
