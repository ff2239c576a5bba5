
using Distrid.Tests.Support;

namespace Distrid.Tests.Fuse;

/// <summary>
/// Tests that count requests or drop the kernel's caches run one at a time: dropping caches is global and
/// would disturb a request count measured at the same moment.
/// </summary>
[CollectionDefinition(FuseCacheCollection.Name, DisableParallelization = true)]
public sealed class FuseCacheCollection
{
    public const string Name = "FUSE kernel caches";
}

/// <summary>Lookup counting against the real kernel: every LOOKUP and READDIRPLUS entry is forgotten exactly once.</summary>
[Collection(FuseCacheCollection.Name)]
[Trait("Category", "DropsGlobalCaches")]
public sealed class FuseCacheTests
{
    [Fact]
    public async Task Forgets_after_dropping_caches_balance_every_lookup_including_readdirplus_ones()
    {
        if (!Requirements.RootWithFuse())
        {
            return;
        }

        using MountedMemoryFileSystem mounted = await MountedMemoryFileSystem.MountAsync(SampleTree.Create());
        Assert.Equal(0, ToolRunner.Run("ls", "-lR", mounted.Mountpoint).ExitCode);
        Assert.Equal(SampleTree.HelloText, await File.ReadAllTextAsync(mounted.PathOf("dir/uplink")));
        Assert.True(mounted.FileSystem.LookupBalance().Referenced > 5);

        // Dropping dentries and inodes makes the kernel forget every node it no longer holds. FORGETs are
        // queued asynchronously and have no reply to wait for, so poll the counts (bounded).
        await File.WriteAllTextAsync("/proc/sys/vm/drop_caches", "2");
        bool balanced = SpinWait.SpinUntil(() => mounted.FileSystem.LookupBalance().Referenced == 0, TimeSpan.FromSeconds(10));

        (int referenced, bool wentNegative) = mounted.FileSystem.LookupBalance();
        Assert.False(wentNegative, "a node was forgotten more often than it was looked up");
        Assert.True(balanced, $"{referenced} nodes still referenced after the kernel dropped its caches");
        Assert.True(mounted.FileSystem.Forgets > 0);
    }
}
