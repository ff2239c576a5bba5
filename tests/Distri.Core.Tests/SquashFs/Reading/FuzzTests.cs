using Distrid.Bench.Fuzz;

namespace Distri.Core.Tests.SquashFs.Reading;

/// <summary>Mutated images (bit flips, truncations, corrupted table pointers, counts and headers), each walked in
/// full under a time bound: only SquashFsException may escape, and nothing may hang.</summary>
public sealed class FuzzTests(ITestOutputHelper output)
{
    [Fact]
    public void Mutated_images_only_ever_raise_SquashFsException()
    {
        if (!Requirements.Tools("mksquashfs", "setfattr"))
        {
            return;
        }

        string work = Path.Combine(Path.GetTempPath(), $"distri-fuzz-test-{Guid.NewGuid():N}");
        Directory.CreateDirectory(work);
        try
        {
            IReadOnlyList<byte[]> seeds = FuzzSeeds.Create(work);
            FuzzReport report = FuzzSession.Run(seeds, count: 500, seed: 20261125, TimeSpan.FromSeconds(10), workers: 2);
            output.WriteLine(report.ToString());
            Assert.True(report.Passed, report.ToString());
            Assert.Equal(500, report.Total);

            // The mutations must reach both outcomes, or the test proves nothing.
            Assert.True(report.Clean > 0, report.ToString());
            Assert.True(report.Rejected.Count >= 3, report.ToString());
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }
}
