using Distri.Core.Packages;
using Distrid.Repository;

namespace Distrid.Tests.Repository;

/// <summary>How many images a download asks for at once, and in which order, from the link it measured.</summary>
public sealed class DownloadScheduleTests
{
    private static PackageMetadata Package(string name, long size) =>
        new() { FullName = $"{name}-amd64-1.0-1", Size = size, Sha256 = new string('0', 64) };

    private static readonly IReadOnlyList<PackageMetadata> Closure =
        [.. Enumerable.Range(0, 40).Select(i => Package($"p{i}", (i + 1) * 25_000L))]; // median 525 kB

    [Fact]
    public void A_short_round_trip_keeps_the_minimum()
    {
        Assert.Equal(4, DownloadSchedule.Parallelism(Closure, 125e6, TimeSpan.FromMilliseconds(0.2), 4, 16));
    }

    [Fact]
    public void A_long_fat_link_asks_for_its_bandwidth_delay_product_in_typical_images()
    {
        // 100 Mbit/s x 40 ms = 500 kB in flight: one typical image, plus two for the round trips between images.
        Assert.Equal(3, DownloadSchedule.Parallelism(Closure, 12.5e6, TimeSpan.FromMilliseconds(40), 2, 16));
        // 1 Gbit/s x 40 ms = 5 MB: ten images in flight, plus two.
        Assert.Equal(12, DownloadSchedule.Parallelism(Closure, 125e6, TimeSpan.FromMilliseconds(40), 4, 16));
        // Never more than the configured maximum, nor more than there are images.
        Assert.Equal(16, DownloadSchedule.Parallelism(Closure, 1.25e9, TimeSpan.FromMilliseconds(40), 4, 16));
        Assert.Equal(2, DownloadSchedule.Parallelism(Closure.Take(2).ToList(), 1.25e9, TimeSpan.FromMilliseconds(40), 4, 16));
    }

    [Fact]
    public void Images_come_largest_and_smallest_alternately()
    {
        var order = DownloadSchedule.Order([Package("a", 10), Package("b", 500), Package("c", 30), Package("d", 20), Package("e", 400)]);

        Assert.Equal(["b", "a", "e", "d", "c"], order.Select(p => p.Name.Name));
    }
}
