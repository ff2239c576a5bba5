using System.Diagnostics;
using Xunit.Abstractions;

namespace Distrid.Tests.Fuse;

/// <summary>
/// A quick measurement, kept as a test so it stays runnable: `find | xargs cat` over 10,000 small in-memory
/// files, cold (fresh mount) and warm, with the requests the kernel sent. It asserts the caching contract:
/// a warm pass needs (almost) no round trips.
/// </summary>
[Collection(FuseCacheCollection.Name)]
public sealed class FuseBenchmarkTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Find_and_cat_over_10000_small_files_cold_and_warm()
    {
        if (!FuseTestEnvironment.IsAvailable(output))
        {
            return;
        }

        var fs = new MemoryFileSystem(withXattrs: false);
        var random = new Random(7);
        long totalBytes = 0;
        for (int d = 0; d < 100; d++)
        {
            MemoryNode dir = fs.AddDirectory(fs.Root, $"d{d:D3}");
            for (int f = 0; f < 100; f++)
            {
                // Log-uniform sizes between 180 B and 32 KiB, like the reference tree.
                int size = (int)Math.Exp(Math.Log(180) + (random.NextDouble() * (Math.Log(32768) - Math.Log(180))));
                var content = new byte[size];
                random.NextBytes(content);
                fs.AddFile(dir, $"f{f:D3}", content);
                totalBytes += size;
            }
        }

        using MountedMemoryFileSystem mounted = await MountedMemoryFileSystem.MountAsync(fs);
        string command = $"find '{mounted.Mountpoint}' -type f | xargs cat | wc -c";

        (TimeSpan cold, IReadOnlyDictionary<string, long> coldRequests) = Measure(mounted, command, totalBytes);
        var warmTimes = new List<TimeSpan>();
        IReadOnlyDictionary<string, long> warmRequests = new Dictionary<string, long>();
        for (int i = 0; i < 2; i++)
        {
            (TimeSpan warm, warmRequests) = Measure(mounted, command, totalBytes);
            warmTimes.Add(warm);
        }

        output.WriteLine($"10,000 files, {totalBytes / 1e6:F1} MB; cold {cold.TotalSeconds:F3} s; warm {string.Join(" / ", warmTimes.Select(t => t.TotalSeconds.ToString("F3", System.Globalization.CultureInfo.InvariantCulture)))} s");
        output.WriteLine($"cold requests: {Format(coldRequests)}");
        output.WriteLine($"warm requests: {Format(warmRequests)}");
        output.WriteLine($"reply failures {mounted.Session.Statistics.ReplyFailures}, interrupted {mounted.Session.Statistics.InterruptedReplies}");

        Assert.True(coldRequests.GetValueOrDefault("READ") >= 10_000);
        Assert.True(coldRequests.GetValueOrDefault("LOOKUP") < 1000, "READDIRPLUS should have made lookups unnecessary");
        Assert.False(coldRequests.ContainsKey("OPEN") && coldRequests["OPEN"] > 1, "OPEN answered ENOSYS once must not come again");
        Assert.True(warmRequests.Values.Sum() < 50, $"a warm pass should need almost no requests: {Format(warmRequests)}");
        Assert.Equal(0, mounted.Session.Statistics.HandlerFailures);
    }

    private (TimeSpan Elapsed, IReadOnlyDictionary<string, long> Requests) Measure(MountedMemoryFileSystem mounted, string command, long expectedBytes)
    {
        IReadOnlyDictionary<string, long> before = mounted.Session.Statistics.Snapshot();
        TimeSpan cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
        TimeSpan userBefore = Process.GetCurrentProcess().UserProcessorTime;
        var stopwatch = Stopwatch.StartNew();
        ToolRunner.Result result = ToolRunner.Shell(command);
        stopwatch.Stop();
        // The tools run in child processes; this process's CPU is the FUSE server plus JIT and test-host noise.
        TimeSpan serverCpu = Process.GetCurrentProcess().TotalProcessorTime - cpuBefore;
        TimeSpan serverUser = Process.GetCurrentProcess().UserProcessorTime - userBefore;
        Assert.Equal(0, result.ExitCode);
        Assert.Equal(expectedBytes, long.Parse(result.StandardOutput.Trim(), System.Globalization.CultureInfo.InvariantCulture));
        IReadOnlyDictionary<string, long> after = mounted.Session.Statistics.Snapshot();
        var delta = after.ToDictionary(pair => pair.Key, pair => pair.Value - before.GetValueOrDefault(pair.Key))
            .Where(pair => pair.Value != 0)
            .ToDictionary(pair => pair.Key, pair => pair.Value);
        long requests = delta.Values.Sum();
        output.WriteLine($"pass: {stopwatch.Elapsed.TotalSeconds:F3} s wall, test-process CPU {serverCpu.TotalMilliseconds:F0} ms (user {serverUser.TotalMilliseconds:F0} ms; includes JIT and test host) for {requests} requests");
        return (stopwatch.Elapsed, delta);
    }

    private static string Format(IReadOnlyDictionary<string, long> requests) =>
        requests.Count == 0 ? "none" : string.Join(", ", requests.OrderBy(pair => pair.Key, StringComparer.Ordinal).Select(pair => $"{pair.Key}={pair.Value}"));
}
