using System.Diagnostics;

namespace Distrid.Bench.Fuzz;

/// <summary><c>fuzz [--count N] [--seed N] [--timeout-ms N] [--workers N]</c>: mutated images through the reader;
/// exits 1 on any crash or hang.</summary>
public static class FuzzCommand
{
    public static int Run(string[] args)
    {
        int count = 10_000;
        int seed = 1;
        int timeoutMs = 5000;
        int workers = Environment.ProcessorCount;
        for (int i = 0; i < args.Length; i++)
        {
            string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            switch (args[i])
            {
                case "--count":
                    count = int.Parse(Value());
                    break;
                case "--seed":
                    seed = int.Parse(Value());
                    break;
                case "--timeout-ms":
                    timeoutMs = int.Parse(Value());
                    break;
                case "--workers":
                    workers = int.Parse(Value());
                    break;
                default:
                    Console.Error.WriteLine($"fuzz: unknown option {args[i]}");
                    return 2;
            }
        }

        string work = Path.Combine(Path.GetTempPath(), $"distrid-fuzz-{Environment.ProcessId}");
        Directory.CreateDirectory(work);
        try
        {
            IReadOnlyList<byte[]> seeds = FuzzSeeds.Create(work);
            Console.WriteLine($"fuzz: {count} images from {seeds.Count} seeds ({string.Join(", ", FuzzSeeds.Variants.Select(v => string.Join(' ', v)))}), seed {seed}, bound {timeoutMs} ms, {workers} workers");
            var clock = Stopwatch.StartNew();
            FuzzReport report = FuzzSession.Run(seeds, count, seed, TimeSpan.FromMilliseconds(timeoutMs), workers);
            Console.WriteLine(report);
            Console.WriteLine($"elapsed: {clock.Elapsed.TotalSeconds:F1} s ({report.Total / clock.Elapsed.TotalSeconds:F0} images/s)");
            return report.Passed ? 0 : 1;
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }
}
