using System.IO.MemoryMappedFiles;
using System.Text;
using System.Text.Json;
using Distrid.Tests.Fuse;
using Distrid.Tests.Support;

namespace Distrid.Tests.FileSystem;

/// <summary>
/// FUSE passthrough from the cache of decompressed files (<c>fusePassthrough: true</c>), against a real kernel mount:
/// once a large file was read, the daemon copies it into its cache, and later opens are read and mapped by the kernel
/// from that copy, with no READ reaching the daemon and the image's bytes; the fallbacks (passthrough off, a backing
/// file the kernel refuses, a torn or foreign file in the cache) keep serving the image's bytes through READs; the
/// cache stays below its size cap.
/// </summary>
public sealed class RoPassthroughTests
{
    private const string Name = "pass-amd64-1-1";
    private const string Config = """{"fusePassthrough": true, "passthroughMinFileBytes": 65536}""";

    [Fact]
    public async Task A_file_read_once_is_then_read_and_mapped_by_the_kernel_from_the_cache_without_READs()
    {
        if (!Requirements.RootWith("/dev/fuse"))
        {
            return;
        }

        using var dir = new TempDirectory();
        var paths = new DaemonPaths(dir.Path);
        var files = await PackAsync(dir, paths, 1, Config);
        await using var daemon = await DaemonProcess.StartAsync(paths);
        Assert.Contains("FUSE passthrough on", daemon.Stderr, StringComparison.Ordinal);
        var (path, content) = files.First();
        string file = Path.Combine(paths.Mountpoint, Name, path);
        byte[] expected = Encoding.ASCII.GetBytes(content);

        // First open: cached mode, READs; the daemon then writes the cache file in the background.
        Assert.Equal(expected, await File.ReadAllBytesAsync(file, TestContext.Current.CancellationToken));
        Assert.True(await ReadsAsync(paths) > 0);
        string cached = WaitForCacheFiles(paths, 1).Single();
        Assert.Equal(expected.LongLength, new FileInfo(cached).Length);
        await WaitUntilReleasedAsync(paths);

        long readsBefore = await ReadsAsync(paths);
        Assert.Equal(expected, await File.ReadAllBytesAsync(file, TestContext.Current.CancellationToken));
        using (var map = MemoryMappedFile.CreateFromFile(file, FileMode.Open, null, 0, MemoryMappedFileAccess.Read))
        using (var view = map.CreateViewStream(0, 0, MemoryMappedFileAccess.Read))
        {
            var mapped = new byte[expected.Length];
            view.ReadExactly(mapped);
            Assert.True(expected.AsSpan().SequenceEqual(mapped), "mapped bytes differ from the image's");
        }

        Assert.Equal(readsBefore, await ReadsAsync(paths));
        Assert.True(await OpcodeAsync(paths, "OPEN") >= 3);
    }

    [Fact]
    public async Task With_requests_through_io_uring_opens_of_a_cached_file_are_still_passthrough_opens()
    {
        if (!Requirements.RootWith("/dev/fuse", KernelUringSwitch.ParameterPath))
        {
            return;
        }

        using var dir = new TempDirectory();
        var paths = new DaemonPaths(dir.Path);
        var files = await PackAsync(dir, paths, 1, """{"fusePassthrough": true, "passthroughMinFileBytes": 65536, "fuseIoUring": true}""");
        DaemonProcess daemon;
        using (await KernelUringSwitch.SetAsync(enabled: true))
        {
            daemon = await DaemonProcess.StartAsync(paths);
        }

        await using (daemon)
        {
            Assert.Contains("requests through io_uring", daemon.Stderr, StringComparison.Ordinal);
            var (path, content) = files.First();
            string file = Path.Combine(paths.Mountpoint, Name, path);
            byte[] expected = Encoding.ASCII.GetBytes(content);
            Assert.Equal(expected, await File.ReadAllBytesAsync(file, TestContext.Current.CancellationToken));
            WaitForCacheFiles(paths, 1);
            await WaitUntilReleasedAsync(paths);
            long readsBefore = await ReadsAsync(paths);
            Assert.Equal(expected, await File.ReadAllBytesAsync(file, TestContext.Current.CancellationToken));
            Assert.Equal(readsBefore, await ReadsAsync(paths));
        }
    }

    [Fact]
    public async Task Without_fusePassthrough_OPEN_is_answered_ENOSYS_once_and_reads_go_through_the_daemon()
    {
        if (!Requirements.RootWith("/dev/fuse"))
        {
            return;
        }

        using var dir = new TempDirectory();
        var paths = new DaemonPaths(dir.Path);
        var files = await PackAsync(dir, paths, 2);
        await using var daemon = await DaemonProcess.StartAsync(paths);
        foreach (var (path, content) in files)
        {
            for (int i = 0; i < 2; i++)
            {
                Assert.Equal(Encoding.ASCII.GetBytes(content), await File.ReadAllBytesAsync(Path.Combine(paths.Mountpoint, Name, path), TestContext.Current.CancellationToken));
            }
        }

        Assert.True(await OpcodeAsync(paths, "OPEN") <= 1, "OPEN was sent after the first ENOSYS");
        Assert.False(Directory.Exists(Path.Combine(paths.State, "passthrough-cache")));
    }

    [Fact]
    public async Task A_backing_file_the_kernel_refuses_leaves_reads_to_the_daemon_with_one_log_line()
    {
        if (!Requirements.RootWith("/dev/fuse", "mount", "umount"))
        {
            return;
        }

        using var dir = new TempDirectory();
        var paths = new DaemonPaths(dir.Path);
        await File.WriteAllTextAsync(paths.Config, Config, TestContext.Current.CancellationToken);
        // The state directory on an overlay: a backing file there is stacked one level too deep (ELOOP).
        foreach (string d in (string[])["lower", "upper", "work"])
        {
            Directory.CreateDirectory(Path.Combine(dir.Path, d));
        }

        var overlay = ToolRunner.Run("mount", "-t", "overlay", "overlay", "-o",
            $"lowerdir={dir.Path}/lower,upperdir={dir.Path}/upper,workdir={dir.Path}/work", paths.State);
        Assert.True(overlay.ExitCode == 0, overlay.StandardError);
        try
        {
            var files = LargeFiles(1);
            PackageFactory.Pack(paths.Store, Name, files, dir.Path);
            await using var daemon = await DaemonProcess.StartAsync(paths);
            var (path, content) = files.First();
            string file = Path.Combine(paths.Mountpoint, Name, path);
            byte[] expected = Encoding.ASCII.GetBytes(content);
            Assert.Equal(expected, await File.ReadAllBytesAsync(file, TestContext.Current.CancellationToken));
            WaitForCacheFiles(paths, 1);
            await WaitUntilReleasedAsync(paths);

            for (int i = 0; i < 2; i++)
            {
                Assert.Equal(expected, await File.ReadAllBytesAsync(file, TestContext.Current.CancellationToken));
            }

            await daemon.WaitForLogAsync("as a backing file");
            Assert.Single(daemon.Stderr.Split('\n'), line => line.Contains("as a backing file", StringComparison.Ordinal));
        }
        finally
        {
            ToolRunner.Run("umount", "-l", paths.State);
        }
    }

    [Theory]
    [InlineData("foreign")]
    [InlineData("torn")]
    public async Task A_torn_or_foreign_file_in_the_cache_is_never_served(string damage)
    {
        if (!Requirements.RootWith("/dev/fuse", "truncate"))
        {
            return;
        }

        using var dir = new TempDirectory();
        var paths = new DaemonPaths(dir.Path);
        var files = await PackAsync(dir, paths, 1, Config);
        var (path, content) = files.First();
        byte[] expected = Encoding.ASCII.GetBytes(content);
        string cached;
        await using (var first = await DaemonProcess.StartAsync(paths))
        {
            Assert.Equal(expected, await File.ReadAllBytesAsync(Path.Combine(paths.Mountpoint, Name, path), TestContext.Current.CancellationToken));
            cached = WaitForCacheFiles(paths, 1).Single();
            Assert.Equal(0, await first.StopAsync());
        }

        string leftover = Path.Combine(Path.GetDirectoryName(cached)!, ".tmp-" + Path.GetFileName(cached));
        await File.WriteAllTextAsync(leftover, "half a file", TestContext.Current.CancellationToken);
        if (damage == "foreign")
        {
            // Same name and length, other bytes, no stamp: not written by the cache.
            File.Delete(cached);
            await File.WriteAllBytesAsync(cached, Enumerable.Repeat((byte)'X', expected.Length).ToArray(), TestContext.Current.CancellationToken);
        }
        else
        {
            // The stamp survives, the tail is lost.
            Assert.Equal(0, ToolRunner.Run("truncate", "-s", (expected.Length / 2).ToString(System.Globalization.CultureInfo.InvariantCulture), cached).ExitCode);
        }

        await using var daemon = await DaemonProcess.StartAsync(paths);
        Assert.False(File.Exists(leftover), "a dead writer's temporary file survived the start");
        Assert.Equal(expected, await File.ReadAllBytesAsync(Path.Combine(paths.Mountpoint, Name, path), TestContext.Current.CancellationToken));
        Assert.True(await ReadsAsync(paths) > 0, "the damaged cache file was served instead of the image");
        await daemon.WaitForLogAsync("not serving");

        // The daemon drops the damaged file and caches the file afresh: later opens get the image's bytes.
        await WaitUntilReleasedAsync(paths);
        WaitForCacheFiles(paths, 1);
        await WaitUntilReleasedAsync(paths);
        Assert.Equal(expected, await File.ReadAllBytesAsync(Path.Combine(paths.Mountpoint, Name, path), TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task The_cache_stays_below_its_size_cap_by_evicting_the_least_recently_used_file()
    {
        if (!Requirements.RootWith("/dev/fuse"))
        {
            return;
        }

        using var dir = new TempDirectory();
        var paths = new DaemonPaths(dir.Path);
        var files = LargeFiles(3);
        // Room for any two of the three files, not for all three.
        long cap = files.Values.Sum(c => (long)c.Length) - 1;
        await File.WriteAllTextAsync(paths.Config, $$"""{"fusePassthrough": true, "passthroughMinFileBytes": 65536, "passthroughCacheBytes": {{cap}}}""", TestContext.Current.CancellationToken);
        PackageFactory.Pack(paths.Store, Name, files, dir.Path);
        await using var daemon = await DaemonProcess.StartAsync(paths);
        var names = new List<string>();
        foreach (var (path, content) in files)
        {
            Assert.Equal(Encoding.ASCII.GetBytes(content), await File.ReadAllBytesAsync(Path.Combine(paths.Mountpoint, Name, path), TestContext.Current.CancellationToken));
            // One at a time, so the order of use is known.
            var now = WaitForCacheFiles(paths, Math.Min(names.Count + 1, 2), except: names);
            names.AddRange(now.Except(names));
            long total = CacheFiles(paths).Sum(f => new FileInfo(f).Length);
            Assert.True(total <= cap, $"the cache holds {total} bytes, its cap is {cap}");
        }

        string[] left = CacheFiles(paths);
        Assert.Equal(2, left.Length);
        Assert.DoesNotContain(names[0], left);
    }

    /// <summary>The store with one image of <paramref name="fileCount"/> large files, and the daemon's configuration (none: its defaults).</summary>
    private static async Task<Dictionary<string, string>> PackAsync(TempDirectory dir, DaemonPaths paths, int fileCount, string? config = null)
    {
        if (config is not null)
        {
            await File.WriteAllTextAsync(paths.Config, config, TestContext.Current.CancellationToken);
        }

        var files = LargeFiles(fileCount);
        PackageFactory.Pack(paths.Store, Name, files, dir.Path);
        return files;
    }

    /// <summary><paramref name="count"/> files of 1-2 MiB of random letters (compressed, several SquashFS blocks each).</summary>
    private static Dictionary<string, string> LargeFiles(int count)
    {
        var random = new Random(9);
        var files = new Dictionary<string, string>(StringComparer.Ordinal);
        for (int i = 0; i < count; i++)
        {
            var chars = new char[(1 << 20) + random.Next(1 << 20)];
            for (int c = 0; c < chars.Length; c++)
            {
                chars[c] = (char)('a' + random.Next(26));
            }

            files[$"lib/big{i}.so"] = new string(chars);
        }

        return files;
    }

    private static string[] CacheFiles(DaemonPaths paths)
    {
        string directory = Path.Combine(paths.State, "passthrough-cache");
        return Directory.Exists(directory)
            ? [.. Directory.GetFiles(directory).Where(f => !Path.GetFileName(f).StartsWith('.'))]
            : [];
    }

    /// <summary>Waits until the cache holds <paramref name="count"/> finished files (renamed into place) not in <paramref name="except"/>.</summary>
    private static string[] WaitForCacheFiles(DaemonPaths paths, int count, IReadOnlyCollection<string>? except = null)
    {
        string[] found = [];
        bool done = SpinWait.SpinUntil(
            () => (found = CacheFiles(paths)).Length >= count && (except is null || found.Except(except).Any()),
            TimeSpan.FromSeconds(60));
        Assert.True(done, $"the passthrough cache holds {found.Length} files, expected {count}");
        return found;
    }

    /// <summary>Waits until the daemon has seen a RELEASE for every OPEN (the kernel sends RELEASE after close returns).</summary>
    private static async Task WaitUntilReleasedAsync(DaemonPaths paths)
    {
        for (int i = 0; i < 600; i++)
        {
            if (await OpcodeAsync(paths, "RELEASE") >= await OpcodeAsync(paths, "OPEN"))
            {
                return;
            }

            await Task.Delay(50, TestContext.Current.CancellationToken);
        }

        Assert.Fail("RELEASE did not follow every OPEN");
    }

    private static Task<long> ReadsAsync(DaemonPaths paths) => OpcodeAsync(paths, "READ");

    private static async Task<long> OpcodeAsync(DaemonPaths paths, string opcode)
    {
        var status = await Cli.RunAsync("--socket", paths.Socket, "--json", "status");
        Assert.True(status.ExitCode == 0, status.Stderr);
        using var doc = JsonDocument.Parse(status.Stdout);
        return doc.RootElement.GetProperty("fuse").GetProperty("byOpcode").TryGetProperty(opcode, out JsonElement value) ? value.GetInt64() : 0;
    }
}
