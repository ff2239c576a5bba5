using Distrid.FileSystem.Passthrough;
using Distrid.Tests.Support;

namespace Distrid.Tests.FileSystem;

/// <summary>
/// The passthrough cache's directory on a real file system: recreated when unreadable, a dead writer's temporary
/// files and anything that is not ours removed at open, the cap held by evicting the oldest entries, and an entry
/// served only with the writer's stamp and the right length.
/// </summary>
public sealed class PassthroughCacheTests
{
    [Fact]
    public void A_cache_directory_that_cannot_be_listed_is_recreated_empty_with_one_log_line()
    {
        using var dir = new TempDirectory();
        string path = Path.Combine(dir.Path, "cache");
        File.WriteAllText(path, "not a directory");
        var log = new List<string>();

        var cache = PassthroughCache.Open(path, 1 << 20, 1, log.Add);

        Assert.NotNull(cache);
        Assert.True(Directory.Exists(path));
        Assert.Equal(0, cache.Count);
        Assert.Contains(log, l => l.Contains("recreated", StringComparison.Ordinal));
        Assert.Single(log);
    }

    [Fact]
    public void Opening_removes_temporary_and_foreign_names_and_evicts_the_oldest_entries_down_to_the_cap()
    {
        using var dir = new TempDirectory();
        string path = Path.Combine(dir.Path, "cache");
        Directory.CreateDirectory(path);
        string key = new('a', 64);
        for (uint i = 1; i <= 4; i++)
        {
            string entry = Path.Combine(path, PassthroughCache.EntryName(key, i));
            File.WriteAllBytes(entry, new byte[1000]);
            File.SetLastWriteTimeUtc(entry, DateTime.UtcNow.AddMinutes(i));
        }

        File.WriteAllText(Path.Combine(path, PassthroughCache.TemporaryPrefix + PassthroughCache.EntryName(key, 9)), "torn");
        File.WriteAllText(Path.Combine(path, "notes.txt"), "foreign");
        Directory.CreateDirectory(Path.Combine(path, "subdir"));

        var cache = PassthroughCache.Open(path, 2500, 1, _ => { })!;

        Assert.Equal(2, cache.Count);
        Assert.Equal(2000, cache.Bytes);
        Assert.Equal(
            [PassthroughCache.EntryName(key, 3), PassthroughCache.EntryName(key, 4)],
            Directory.GetFileSystemEntries(path).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.Null(cache.MakeRoom(2501));
        Assert.Empty(cache.MakeRoom(500)!);
        Assert.Single(cache.MakeRoom(1000)!);
    }

    [Fact]
    public void An_entry_is_opened_only_with_the_writers_stamp_and_its_length()
    {
        using var dir = new TempDirectory();
        string path = Path.Combine(dir.Path, "cache");
        var cache = PassthroughCache.Open(path, 1 << 20, 1, _ => { })!;
        string name = PassthroughCache.EntryName(new string('b', 64), 7);
        File.WriteAllBytes(Path.Combine(path, name), new byte[100]);
        var entry = cache.Add(name, 100);

        // No stamp: a file this cache did not write.
        Assert.Null(cache.OpenVerified(entry, 100));
        Assert.False(File.Exists(entry.Path));
        Assert.Null(cache.Find(name));

        File.WriteAllBytes(Path.Combine(path, name), new byte[100]);
        entry = cache.Add(name, 100);
        using (var file = File.OpenHandle(entry.Path, FileMode.Open, FileAccess.ReadWrite))
        {
            Assert.Equal(0, CacheFileCalls.SetStamp(file, PassthroughCache.Stamp(name, 100)));
        }

        // The stamp, but another length than the file's.
        Assert.Null(cache.OpenVerified(entry, 101));
        File.WriteAllBytes(Path.Combine(path, name), new byte[100]);
        using (var file = File.OpenHandle(Path.Combine(path, name), FileMode.Open, FileAccess.ReadWrite))
        {
            Assert.Equal(0, CacheFileCalls.SetStamp(file, PassthroughCache.Stamp(name, 100)));
        }

        entry = cache.Add(name, 100);
        using var verified = cache.OpenVerified(entry, 100);
        Assert.NotNull(verified);
    }
}
