using System.Text;
using Distrid.FileSystem.Exchange;
using Distrid.FileSystem.Manifests;
using Distrid.Store;
using Distrid.Tests.Support;

namespace Distrid.Tests.FileSystem;

/// <summary>The one-file manifest cache: what a restart reads instead of every image.</summary>
public sealed class ManifestCacheTests : IDisposable
{
    private readonly TempDirectory _dir = new("distrid-manifests");

    private static readonly ImageIdentity Zsh = new(1, 100, 4096, 1_700_000_000_000_000_000);
    private static readonly ImageIdentity Less = new(1, 101, 8192, 1_700_000_000_000_000_001);

    private static PackageManifest Manifest(params string[] paths) =>
        new([.. paths.Select(p => new ManifestEntry(Encoding.UTF8.GetBytes(p.TrimEnd('/')), p.EndsWith('/')))]);

    private static string[] Paths(PackageManifest manifest)
    {
        var paths = new List<string>();
        foreach (var entry in manifest.Entries)
        {
            paths.Add(Encoding.UTF8.GetString(entry.Path) + (entry.IsDirectory ? "/" : ""));
        }

        return [.. paths];
    }

    private ManifestCache NewCache() => new(System.IO.Path.Combine(_dir.Path, "manifests"));

    [Fact]
    public void A_new_daemon_reads_back_what_an_earlier_one_saved()
    {
        var first = NewCache();
        first.Save("zsh-amd64-5.9-3", Zsh, Manifest("bin/", "bin/zsh", "share/", "share/zsh/"));
        first.Save("less-amd64-530-2", Less, Manifest("bin/", "bin/less"));
        first.Release();

        var second = NewCache();
        Assert.Equal(["bin/", "bin/zsh", "share/", "share/zsh/"], Paths(second.TryLoad("zsh-amd64-5.9-3", Zsh)!));
        Assert.Equal(["bin/", "bin/less"], Paths(second.TryLoad("less-amd64-530-2", Less)!));
        Assert.Single(Directory.GetFiles(second.Directory));
    }

    [Fact]
    public void A_replaced_image_or_another_name_misses()
    {
        var cache = NewCache();
        cache.Save("zsh-amd64-5.9-3", Zsh, Manifest("bin/", "bin/zsh"));
        cache.Release();

        Assert.Null(cache.TryLoad("zsh-amd64-5.9-3", Zsh with { MtimeNanoseconds = Zsh.MtimeNanoseconds + 1 }));
        Assert.Null(cache.TryLoad("zsh-amd64-5.9-4", Zsh));
        Assert.NotNull(cache.TryLoad("zsh-amd64-5.9-3", Zsh));
    }

    [Fact]
    public void A_torn_tail_is_ignored_and_overwritten_by_the_next_save()
    {
        var cache = NewCache();
        cache.Save("zsh-amd64-5.9-3", Zsh, Manifest("bin/", "bin/zsh"));
        cache.Release();
        long whole = new FileInfo(cache.PackPath).Length;
        // A crash in the middle of an append: part of a record, then zeros the file system allocated.
        using (var file = new FileStream(cache.PackPath, FileMode.Append))
        {
            file.Write([200, 0, 0, 0, 1, 2, 3]);
            file.Write(new byte[64]);
        }

        Assert.NotNull(cache.TryLoad("zsh-amd64-5.9-3", Zsh));
        Assert.Null(cache.TryLoad("less-amd64-530-2", Less));
        cache.Save("less-amd64-530-2", Less, Manifest("bin/", "bin/less"));
        cache.Release();

        long lessRecord = ManifestPack.EncodeRecord("less-amd64-530-2", Less, Manifest("bin/", "bin/less")).Length;
        Assert.Equal(whole + lessRecord, new FileInfo(cache.PackPath).Length);
        var reread = NewCache();
        Assert.Equal(["bin/", "bin/less"], Paths(reread.TryLoad("less-amd64-530-2", Less)!));
        Assert.Equal(["bin/", "bin/zsh"], Paths(reread.TryLoad("zsh-amd64-5.9-3", Zsh)!));
    }

    [Fact]
    public void A_damaged_file_is_started_anew()
    {
        var cache = NewCache();
        Directory.CreateDirectory(cache.Directory);
        File.WriteAllBytes(cache.PackPath, Encoding.ASCII.GetBytes("not a manifest pack at all"));
        File.WriteAllBytes(System.IO.Path.Combine(cache.Directory, "old.1-2-3-4.manifest"), [1, 2, 3]);

        Assert.Null(cache.TryLoad("zsh-amd64-5.9-3", Zsh));
        cache.Save("zsh-amd64-5.9-3", Zsh, Manifest("bin/", "bin/zsh"));
        cache.Release();

        Assert.NotNull(NewCache().TryLoad("zsh-amd64-5.9-3", Zsh));
        Assert.Equal([cache.PackPath], Directory.GetFiles(cache.Directory));
    }

    [Fact]
    public void Compaction_drops_the_records_of_images_that_are_gone()
    {
        var cache = NewCache();
        string[] many = [.. Enumerable.Range(0, 5000).Select(i => $"share/doc/file{i:D5}")];
        cache.Save("zsh-amd64-5.9-3", Zsh, Manifest(many));
        cache.Save("less-amd64-530-2", Less, Manifest("bin/", "bin/less"));
        long before = new FileInfo(cache.PackPath).Length;

        cache.Compact(new HashSet<ImageIdentity> { Less });
        cache.Release();

        Assert.True(new FileInfo(cache.PackPath).Length < before / 10);
        var reread = NewCache();
        Assert.Null(reread.TryLoad("zsh-amd64-5.9-3", Zsh));
        Assert.Equal(["bin/", "bin/less"], Paths(reread.TryLoad("less-amd64-530-2", Less)!));
    }

    public void Dispose() => _dir.Dispose();
}
