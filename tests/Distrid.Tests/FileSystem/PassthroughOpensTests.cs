using Distrid.FileSystem.Passthrough;
using Distrid.Fuse.Protocol;
using Distrid.Tests.Support;

namespace Distrid.Tests.FileSystem;

/// <summary>
/// The per-open bookkeeping of passthrough: small files are never tracked, large ones are, and once a node is known
/// its OPEN, READ note and RELEASE allocate nothing (they run on the FUSE request threads).
/// </summary>
public sealed class PassthroughOpensTests
{
    [Fact]
    public void Opens_reads_and_releases_of_a_known_node_allocate_nothing_and_small_files_stay_untracked()
    {
        using var dir = new TempDirectory();
        var cache = PassthroughCache.Open(Path.Combine(dir.Path, "cache"), 1 << 30, 65536, _ => { })!;
        using var opens = new PassthroughOpens(cache, _ => { });
        string key = new('c', 64);
        var result = default(FuseOpenOut);

        opens.Open(5, key, 3, 1000, ref result);
        Assert.Equal(0UL, result.FileHandle);
        Assert.Equal(FuseOpenOut.KeepCache | FuseOpenOut.NoFlush, result.OpenFlags);

        // No session: the cache file cannot be a backing file, so a large file's opens are counted cached opens.
        opens.Open(7, key, 4, 1 << 20, ref result);
        Assert.NotEqual(0UL, result.FileHandle);
        Assert.Equal(0, result.BackingId);
        opens.Release(7, result.FileHandle);

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 1000; i++)
        {
            result = default;
            opens.Open(7, key, 4, 1 << 20, ref result);
            opens.NoteRead(7);
            opens.NoteRead(5);
            opens.Release(7, result.FileHandle);
            opens.Open(5, key, 3, 1000, ref result);
            opens.Release(5, result.FileHandle);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
