using System.Diagnostics;
using Distrid.Api.DBus;
using Distrid.Protocol;
using Distrid.Transactions;

namespace Distrid.Tests.DBus;

/// <summary>PackageKit flag values to transaction modes, and which progress reports become signals.</summary>
public sealed class FlagsAndProgressTests
{
    [Theory]
    [InlineData(0UL, TransactionMode.Commit)]
    [InlineData(2UL, TransactionMode.Commit)]
    [InlineData(4UL, TransactionMode.DryRun)]
    [InlineData(6UL, TransactionMode.DryRun)]
    [InlineData(8UL, TransactionMode.DownloadOnly)]
    [InlineData(12UL, TransactionMode.DryRun)]
    public void PackageKit_flags_map_to_modes(ulong flags, TransactionMode mode) => Assert.Equal(mode, TransactionFlagsExtensions.ToMode(flags));

    [Theory]
    [InlineData(1UL)]
    [InlineData(16UL)]
    [InlineData(1UL << 63)]
    public void Unknown_flags_are_refused(ulong flags)
    {
        var error = Assert.Throws<TransactionException>(() => TransactionFlagsExtensions.ToMode(flags));
        Assert.Equal(TransactionError.InvalidRequest, error.Error);
    }

    private static ProgressInfo Download(long done) => new("download", "zsh-amd64-5.9-3", done, 1000, done, 1000);

    [Fact]
    public void The_throttle_sends_each_new_phase_then_at_most_one_per_interval_and_keeps_the_last()
    {
        long second = Stopwatch.Frequency;
        var throttle = new ProgressThrottle(second / 5);
        Assert.True(throttle.Offer(new ProgressInfo("resolve", null, 0, 0, 0, 0), 0));
        Assert.True(throttle.Offer(Download(10), 1));
        Assert.False(throttle.Offer(Download(20), 2));
        Assert.False(throttle.Offer(Download(30), 3));
        Assert.Equal(30, throttle.TakePending()!.TotalBytesDone);
        Assert.Null(throttle.TakePending());

        Assert.False(throttle.Offer(Download(40), second / 10));
        Assert.True(throttle.Offer(Download(50), second / 5 + 1));
        Assert.Null(throttle.TakePending());
        // A report that went backwards (thread-pool reordering) is dropped, not sent or kept.
        Assert.False(throttle.Offer(Download(45), second));
        Assert.Null(throttle.TakePending());
        Assert.True(throttle.Offer(new ProgressInfo("commit", null, 0, 0, 1000, 1000), second + 1));
    }

    [Fact]
    public void Percent_is_101_while_sizes_are_unknown()
    {
        Assert.Equal(101u, ProgressThrottle.Percent(new ProgressInfo("resolve", null, 0, 0, 0, 0)));
        Assert.Equal(25u, ProgressThrottle.Percent(Download(250)));
        Assert.Equal(100u, ProgressThrottle.Percent(Download(1000)));
    }
}
