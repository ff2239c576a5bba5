using Distrid.FileSystem;
using Distrid.Fuse.Protocol;
using Distrid.Tests.Support;

namespace Distrid.Tests.Fuse;

/// <summary>
/// FUSE_NOTIFY_STORE against the real kernel: stored pages are served from the page cache with the exact bytes,
/// the file's size is untouched, and stores queued from inside READ handlers never deadlock parallel readers.
/// </summary>
[Collection(FuseCacheCollection.Name)]
public sealed class FuseStoreTests
{
    private const int BlockSize = 128 * 1024;

    [Fact]
    public async Task Stored_pages_are_read_from_the_page_cache_without_a_READ_and_keep_the_file_size()
    {
        if (!Requirements.RootWithFuse())
        {
            return;
        }

        var fs = new MemoryFileSystem();
        byte[] content = RandomBytes((3 * 4096) + 1234, seed: 1);
        MemoryNode file = fs.AddFile(fs.Root, "odd.bin", content);
        using MountedMemoryFileSystem mounted = await MountedMemoryFileSystem.MountAsync(fs);
        string path = mounted.PathOf("odd.bin");
        Assert.Equal(content.Length, new FileInfo(path).Length); // LOOKUP: the kernel now has the inode

        Assert.Equal(0, mounted.Session.NotifyStore(file.Id, 0, content));
        long readsBefore = mounted.Session.Statistics[FuseOpcode.Read];

        Assert.Equal(content, await File.ReadAllBytesAsync(path));
        Assert.Equal(readsBefore, mounted.Session.Statistics[FuseOpcode.Read]);
        Assert.Equal(content.Length, new FileInfo(path).Length);

        // A node the kernel does not know: nothing to fill, reported as ENOENT.
        Assert.Equal(-Errno.ENOENT, mounted.Session.NotifyStore(999_999, 0, content.AsSpan(0, 4096)));
    }

    [Fact]
    public async Task Parallel_random_readers_get_exact_bytes_while_every_READ_queues_the_rest_of_its_block()
    {
        if (!Requirements.RootWithFuse())
        {
            return;
        }

        var fs = new MemoryFileSystem();
        // Sizes that are not page multiples, a last block that is partial, and a file smaller than one block.
        int[] sizes = [(3 * BlockSize) + 17, 1_000_003, 5000, BlockSize, (2 * BlockSize) - 1];
        var files = sizes.Select((size, i) => (Name: $"f{i}.bin", Content: RandomBytes(size, seed: 10 + i))).ToArray();
        foreach (var (name, content) in files)
        {
            fs.AddFile(fs.Root, name, content);
        }

        using MountedMemoryFileSystem mounted = await MountedMemoryFileSystem.MountAsync(fs);
        fs.AfterRead = (node, offset, read, size) =>
            PageCacheFill.QueueRestOfBlocks(mounted.Session, node, offset, read, size, BlockSize);

        var readers = Enumerable.Range(0, 8).Select(reader => Task.Factory.StartNew(() =>
        {
            var rng = new Random(reader);
            for (int n = 0; n < 300; n++)
            {
                var (name, content) = files[rng.Next(files.Length)];
                using var stream = new FileStream(mounted.PathOf(name), FileMode.Open, FileAccess.Read, FileShare.Read, 1);
                long offset = rng.Next(content.Length) / 4096 * 4096L;
                int length = (int)Math.Min(rng.Next(2) == 0 ? 4096 : rng.Next(1, 3 * BlockSize), content.Length - offset);
                var buffer = new byte[length];
                stream.Position = offset;
                stream.ReadExactly(buffer);
                Assert.True(buffer.AsSpan().SequenceEqual(content.AsSpan((int)offset, length)), $"{name} at {offset}+{length}");
            }
        }, TaskCreationOptions.LongRunning)).ToArray();

        // Bounded: a deadlock between stores and READs fails here instead of hanging the suite.
        await Task.WhenAll(readers).WaitAsync(TimeSpan.FromSeconds(60));
        Assert.True(mounted.Session.WaitForStores(TimeSpan.FromSeconds(10)), "queued stores did not drain");

        Assert.True(mounted.Session.Statistics.StoresSent > 0, "no store was sent");
        Assert.Equal(0, mounted.Session.Statistics.StoreFailures);
        foreach (var (name, content) in files)
        {
            Assert.Equal(content.Length, new FileInfo(mounted.PathOf(name)).Length);
            Assert.Equal(content, await File.ReadAllBytesAsync(mounted.PathOf(name)));
        }
    }

    [Fact]
    public async Task A_random_4K_READ_pushes_the_rest_of_its_block_so_the_next_pages_need_no_READ()
    {
        if (!Requirements.RootWithFuse())
        {
            return;
        }

        var fs = new MemoryFileSystem();
        byte[] content = RandomBytes((2 * BlockSize) + 100, seed: 3);
        fs.AddFile(fs.Root, "data.bin", content);
        using MountedMemoryFileSystem mounted = await MountedMemoryFileSystem.MountAsync(fs);
        var log = new System.Collections.Concurrent.ConcurrentQueue<string>();
        fs.AfterRead = (node, offset, read, size) =>
        {
            log.Enqueue($"READ {offset}+{read}");
            PageCacheFill.QueueRestOfBlocks(mounted.Session, node, offset, read, size, BlockSize);
        };
        string path = mounted.PathOf("data.bin");

        // The last block, 4 KiB in: the store covers its first page and its partial tail page.
        long offset = BlockSize + 4096;
        using (var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.RandomAccess))
        {
            stream.Position = offset;
            var page = new byte[4096];
            stream.ReadExactly(page);
            Assert.Equal(content.AsSpan((int)offset, 4096).ToArray(), page);
        }

        Assert.True(mounted.Session.WaitForStores(TimeSpan.FromSeconds(10)), "queued stores did not drain");
        Assert.True(mounted.Session.Statistics.StoresSent >= 2);
        log.Clear();
        using (var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.RandomAccess))
        {
            var rest = new byte[content.Length - BlockSize];
            stream.Position = BlockSize;
            stream.ReadExactly(rest);
            Assert.Equal(content.AsSpan(BlockSize).ToArray(), rest);
        }

        // Every full page came from the stores. The partial last page may be asked for once more: a store that
        // runs while the first READ is still in flight fills it, but this kernel (6.18) did not keep it uptodate
        // then (a store after the READ's reply does; see Stored_pages_...). Only a round trip, never wrong bytes.
        string tailRead = $"READ {2 * BlockSize}+100";
        Assert.True(log.All(entry => entry == tailRead), "READs after the stores: " + string.Join(", ", log));
        Assert.Equal(content.Length, new FileInfo(path).Length);
    }

    private static byte[] RandomBytes(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }
}
