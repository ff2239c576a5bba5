using Distri.Core.SquashFs;

namespace Distrid.Bench.Fuzz;

/// <summary>
/// Runs mutated images through <see cref="FuzzWalk"/> on dedicated worker threads while a watchdog enforces the
/// per-image time bound: an overdue walk is cancelled and counted as a hang; a walk that ignores cancellation is
/// abandoned (its thread is a background thread) so the run still ends.
/// </summary>
public static class FuzzSession
{
    public static FuzzReport Run(IReadOnlyList<byte[]> seeds, int count, int seed, TimeSpan timeBound, int workers)
    {
        var report = new FuzzReport();
        int next = -1;
        var slots = new Slot[workers];
        var threads = new Thread[workers];
        for (int w = 0; w < workers; w++)
        {
            var slot = slots[w] = new Slot();
            threads[w] = new Thread(() =>
            {
                while (true)
                {
                    int index = Interlocked.Increment(ref next);
                    if (index >= count)
                    {
                        return;
                    }

                    RunOne(seeds, index, seed, slot, report);
                }
            })
            { IsBackground = true, Name = $"fuzz-{w}" };
            threads[w].Start();
        }

        // The watchdog: cancel overdue walks; stop waiting for a worker stuck far beyond the bound.
        var abandoned = new bool[workers];
        while (true)
        {
            bool running = false;
            for (int w = 0; w < workers; w++)
            {
                if (abandoned[w] || threads[w].Join(0))
                {
                    continue;
                }

                running = true;
                Slot slot = slots[w];
                lock (slot)
                {
                    TimeSpan elapsed = slot.Started is { } started ? DateTime.UtcNow - started : TimeSpan.Zero;
                    if (slot.Started is not null && elapsed > timeBound && !slot.TimedOut)
                    {
                        slot.TimedOut = true;
                        slot.Cancellation?.Cancel();
                    }

                    if (slot.TimedOut && elapsed > timeBound * 10)
                    {
                        abandoned[w] = true;
                        report.AddHang($"{slot.Reproduction} (abandoned)");
                    }
                }
            }

            if (!running)
            {
                return report;
            }

            Thread.Sleep(20);
        }
    }

    private static void RunOne(IReadOnlyList<byte[]> seeds, int index, int seed, Slot slot, FuzzReport report)
    {
        int caseSeed = HashCode.Combine(seed, index);
        byte[] image = new ImageMutator(caseSeed).Mutate(seeds[index % seeds.Count], out string description);
        string reproduction = $"seed image {index % seeds.Count}, mutator seed {caseSeed}: {description}";
        using var cancellation = new CancellationTokenSource();
        lock (slot)
        {
            slot.Started = DateTime.UtcNow;
            slot.TimedOut = false;
            slot.Cancellation = cancellation;
            slot.Reproduction = reproduction;
        }

        Exception? failure = null;
        try
        {
            FuzzWalk.Run(image, cancellation.Token);
        }
        catch (Exception e)
        {
            failure = e;
        }

        lock (slot)
        {
            bool timedOut = slot.TimedOut;
            slot.Started = null;
            slot.Cancellation = null;
            if (timedOut)
            {
                report.AddHang(reproduction);
            }
            else if (failure is null)
            {
                report.AddClean();
            }
            else if (failure is SquashFsException rejected)
            {
                report.AddRejected(rejected.Error);
            }
            else
            {
                report.AddCrash(failure, reproduction);
            }
        }
    }

    private sealed class Slot
    {
        public DateTime? Started;
        public bool TimedOut;
        public CancellationTokenSource? Cancellation;
        public string Reproduction = "";
    }
}
