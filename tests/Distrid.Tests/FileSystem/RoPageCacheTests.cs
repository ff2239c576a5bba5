using System.Runtime.InteropServices;
using Distrid.Tests.Support;

namespace Distrid.Tests.FileSystem;

/// <summary>
/// The daemon pushes the rest of each decompressed SquashFS block into the page cache after a small READ
/// (NOTIFY_STORE): random reads must still return exactly the packed bytes, with parallel readers, at file ends
/// that are not page multiples, and the pushed pages must really land in the cache.
/// </summary>
public sealed partial class RoPageCacheTests
{
    private const int BlockSize = 128 * 1024;
    private const int Page = 4096;

    [Fact]
    public async Task Random_4K_reads_return_the_packed_bytes_and_fill_the_rest_of_the_block_into_the_page_cache()
    {
        if (!Requirements.RootWithFuse())
        {
            return;
        }

        using var dir = new TempDirectory();
        var paths = new DaemonPaths(dir.Path);
        var random = new Random(7);
        // Several blocks with a partial last block, one block exactly, a fragment-only file, a page-multiple file.
        int[] sizes = [(5 * BlockSize) + 777, BlockSize, 3000, 8 * Page, (2 * BlockSize) + Page - 1, 700_001];
        var files = new Dictionary<string, string>();
        for (int i = 0; i < sizes.Length; i++)
        {
            var chars = new char[sizes[i]];
            for (int c = 0; c < chars.Length; c++)
            {
                chars[c] = (char)('a' + random.Next(26));
            }

            files[$"share/data/f{i}.txt"] = new string(chars);
        }

        PackageFactory.Pack(paths.Store, "pages-amd64-1-1", files, dir.Path);
        await using var daemon = await DaemonProcess.StartAsync(paths);
        string root = Path.Combine(paths.Mountpoint, "pages-amd64-1-1");
        var expected = files.ToDictionary(f => f.Key, f => System.Text.Encoding.ASCII.GetBytes(f.Value));

        // One 4 KiB read in the middle of block 1 of the first file: the other 31 pages of that block follow.
        string first = Path.Combine(root, "share/data/f0.txt");
        using (var stream = new FileStream(first, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.RandomAccess))
        {
            var page = new byte[Page];
            stream.Position = BlockSize + (10 * Page);
            stream.ReadExactly(page);
            Assert.Equal(expected["share/data/f0.txt"].AsSpan(BlockSize + (10 * Page), Page).ToArray(), page);
        }

        bool filled = SpinWait.SpinUntil(() => ResidentPages(first, BlockSize, BlockSize) == BlockSize / Page, TimeSpan.FromSeconds(10));
        Assert.True(filled, $"only {ResidentPages(first, BlockSize, BlockSize)} of {BlockSize / Page} pages of the block are cached");

        // Eight parallel readers doing random page reads: exact bytes, in bounded time (no deadlock).
        var readers = Enumerable.Range(0, 8).Select(reader => Task.Factory.StartNew(() =>
        {
            var rng = new Random(reader);
            var buffer = new byte[Page];
            for (int n = 0; n < 400; n++)
            {
                var (path, content) = expected.ElementAt(rng.Next(expected.Count));
                using var stream = new FileStream(Path.Combine(root, path), FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.RandomAccess);
                long offset = rng.Next(content.Length) / Page * (long)Page;
                int length = (int)Math.Min(Page, content.Length - offset);
                stream.Position = offset;
                stream.ReadExactly(buffer.AsSpan(0, length));
                Assert.True(buffer.AsSpan(0, length).SequenceEqual(content.AsSpan((int)offset, length)), $"{path} at {offset}+{length}");
            }
        }, TaskCreationOptions.LongRunning)).ToArray();
        await Task.WhenAll(readers).WaitAsync(TimeSpan.FromSeconds(60));

        // Whole files (partly from pushed pages now) and their sizes: a store past the end would have grown them.
        foreach (var (path, content) in expected)
        {
            string full = Path.Combine(root, path);
            Assert.Equal(content.Length, new FileInfo(full).Length);
            Assert.Equal(content, await File.ReadAllBytesAsync(full));
        }
    }

    /// <summary>How many pages of [offset, offset+length) of <paramref name="path"/> are in the page cache (mincore).</summary>
    internal static unsafe int ResidentPages(string path, long offset, int length)
    {
        using var handle = File.OpenHandle(path);
        long size = RandomAccess.GetLength(handle);
        nint map = Mmap(0, (nuint)size, ProtRead, MapShared, (int)handle.DangerousGetHandle(), 0);
        Assert.NotEqual(-1, map);
        try
        {
            int pages = (int)((size + Page - 1) / Page);
            byte* vector = stackalloc byte[pages];
            Assert.Equal(0, Mincore(map, (nuint)size, vector));
            int resident = 0;
            for (long p = offset / Page; p < Math.Min(pages, (offset + length + Page - 1) / Page); p++)
            {
                resident += vector[p] & 1;
            }

            return resident;
        }
        finally
        {
            _ = Munmap(map, (nuint)size);
        }
    }

    private const int ProtRead = 1;
    private const int MapShared = 1;

    [LibraryImport("libc", EntryPoint = "mmap", SetLastError = true)]
    private static partial nint Mmap(nint address, nuint length, int protection, int flags, int fd, long offset);

    [LibraryImport("libc", EntryPoint = "mincore", SetLastError = true)]
    private static unsafe partial int Mincore(nint address, nuint length, byte* vector);

    [LibraryImport("libc", EntryPoint = "munmap", SetLastError = true)]
    private static partial int Munmap(nint address, nuint length);
}
