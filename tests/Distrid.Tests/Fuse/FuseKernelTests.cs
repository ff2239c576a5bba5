using System.Text;
using Distrid.Fuse.Mounting;
using Distrid.Fuse.Protocol;
using Distrid.Tests.Support;

namespace Distrid.Tests.Fuse;

/// <summary>The FUSE server against the real kernel: a mounted in-memory tree read with .NET APIs and tools.</summary>
public sealed class FuseKernelTests
{
    [Fact]
    public async Task Readdir_lists_every_entry()
    {
        if (!Requirements.RootWithFuse())
        {
            return;
        }

        using MountedMemoryFileSystem mounted = await MountedMemoryFileSystem.MountAsync(SampleTree.Create());

        string[] root = Directory.GetFileSystemEntries(mounted.Mountpoint).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToArray()!;
        Assert.Equal(["big.bin", "dir", "empty", "hello.txt", "link"], root);
        ToolRunner.Result ls = ToolRunner.Run("ls", "-a", mounted.PathOf("dir"));
        Assert.Equal(0, ls.ExitCode);
        Assert.Equal([".", "..", "nested.txt", "sub", "uplink"], ls.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries).Order(StringComparer.Ordinal));
        Assert.Empty(Directory.GetFileSystemEntries(mounted.PathOf("dir/sub")));
    }

    [Fact]
    public async Task File_contents_and_sizes_read_back_including_a_3_MiB_file_in_1_MiB_requests()
    {
        if (!Requirements.RootWithFuse())
        {
            return;
        }

        using MountedMemoryFileSystem mounted = await MountedMemoryFileSystem.MountAsync(SampleTree.Create());

        Assert.Equal(SampleTree.HelloText, await File.ReadAllTextAsync(mounted.PathOf("hello.txt")));
        Assert.Equal("nested\n", await File.ReadAllTextAsync(mounted.PathOf("dir/nested.txt")));
        Assert.Empty(await File.ReadAllBytesAsync(mounted.PathOf("empty")));
        Assert.Equal(SampleTree.BigSize, new FileInfo(mounted.PathOf("big.bin")).Length);

        var big = new byte[SampleTree.BigSize];
        using (var stream = new FileStream(mounted.PathOf("big.bin"), FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 0))
        {
            int total = 0;
            while (total < big.Length)
            {
                int read = stream.Read(big, total, Math.Min(1024 * 1024, big.Length - total));
                Assert.True(read > 0);
                total += read;
            }

            Assert.Equal(0, stream.Read(new byte[16], 0, 16));
        }

        Assert.True(big.AsSpan().SequenceEqual(SampleTree.BigContent));
        Assert.Equal(1024 * 1024, mounted.FileSystem.MaxReadSize);
        ToolRunner.Result cmp = ToolRunner.Shell($"cat '{mounted.PathOf("big.bin")}' | sha256sum");
        Assert.StartsWith(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(SampleTree.BigContent)), cmp.StandardOutput, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Symlinks_resolve_and_read_through()
    {
        if (!Requirements.RootWithFuse())
        {
            return;
        }

        using MountedMemoryFileSystem mounted = await MountedMemoryFileSystem.MountAsync(SampleTree.Create());

        Assert.Equal("hello.txt", new FileInfo(mounted.PathOf("link")).LinkTarget);
        Assert.Equal("../hello.txt", ToolRunner.Run("readlink", mounted.PathOf("dir/uplink")).StandardOutput.Trim());
        Assert.Equal(SampleTree.HelloText, await File.ReadAllTextAsync(mounted.PathOf("dir/uplink")));
    }

    [Fact]
    public async Task Stat_reports_mode_owner_times_links_and_size()
    {
        if (!Requirements.RootWithFuse())
        {
            return;
        }

        using MountedMemoryFileSystem mounted = await MountedMemoryFileSystem.MountAsync(SampleTree.Create());

        // %f raw mode (hex), %u uid, %g gid, %Y mtime, %h links, %s size, %F type
        ToolRunner.Result file = ToolRunner.Run("stat", "-c", "%f %u %g %Y %h %s %F", mounted.PathOf("hello.txt"));
        Assert.Equal($"81a4 {MemoryFileSystem.Uid} {MemoryFileSystem.Gid} {MemoryFileSystem.MtimeSeconds} 1 {SampleTree.HelloText.Length} regular file", file.StandardOutput.Trim());
        ToolRunner.Result dir = ToolRunner.Run("stat", "-c", "%f %h %F", mounted.PathOf("dir"));
        Assert.Equal("41ed 3 directory", dir.StandardOutput.Trim());
        ToolRunner.Result link = ToolRunner.Run("stat", "-c", "%f %s %F", mounted.PathOf("link"));
        Assert.Equal("a1ff 9 symbolic link", link.StandardOutput.Trim());
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(MemoryFileSystem.MtimeSeconds).UtcDateTime, File.GetLastWriteTimeUtc(mounted.PathOf("empty")).AddTicks(-5));
    }

    [Fact]
    public async Task Extended_attributes_list_and_read()
    {
        if (!Requirements.RootWithFuse())
        {
            return;
        }

        using MountedMemoryFileSystem mounted = await MountedMemoryFileSystem.MountAsync(SampleTree.Create());

        ToolRunner.Result value = ToolRunner.Run("getfattr", "-n", "user.origin", "--only-values", mounted.PathOf("hello.txt"));
        Assert.Equal(0, value.ExitCode);
        Assert.Equal("memory", value.StandardOutput);
        ToolRunner.Result dump = ToolRunner.Run("getfattr", "-d", "-m", "-", "--absolute-names", mounted.PathOf("hello.txt"));
        Assert.Contains("user.origin=\"memory\"", dump.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("user.empty", dump.StandardOutput, StringComparison.Ordinal);
        ToolRunner.Result missing = ToolRunner.Run("getfattr", "-n", "user.nope", mounted.PathOf("hello.txt"));
        Assert.NotEqual(0, missing.ExitCode);
        Assert.Contains("No such attribute", missing.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_file_system_without_xattrs_answers_enosys_once_and_is_not_asked_again()
    {
        if (!Requirements.RootWithFuse())
        {
            return;
        }

        using MountedMemoryFileSystem mounted = await MountedMemoryFileSystem.MountAsync(SampleTree.Create(withXattrs: false));

        for (int i = 0; i < 3; i++)
        {
            ToolRunner.Result value = ToolRunner.Run("getfattr", "-n", "user.origin", mounted.PathOf("hello.txt"));
            Assert.NotEqual(0, value.ExitCode);
        }

        Assert.Equal(1, mounted.Session.Statistics[FuseOpcode.GetXattr]);
    }

    [Fact]
    public async Task Statfs_reports_what_the_file_system_says()
    {
        if (!Requirements.RootWithFuse())
        {
            return;
        }

        using MountedMemoryFileSystem mounted = await MountedMemoryFileSystem.MountAsync(SampleTree.Create());

        // %b blocks, %f free, %c files, %S block size, %l max name length
        ToolRunner.Result stat = ToolRunner.Run("stat", "-f", "-c", "%b %f %c %S %l", mounted.Mountpoint);
        Assert.Equal("1000 0 42 4096 255", stat.StandardOutput.Trim());
        ToolRunner.Result df = ToolRunner.Run("df", "-B1", "--output=source,size", mounted.Mountpoint);
        Assert.Contains($"distrid-test {1000 * 4096}", string.Join(' ', df.StandardOutput.Split(' ', StringSplitOptions.RemoveEmptyEntries)), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Writes_creates_and_unlinks_fail_with_read_only_file_system()
    {
        if (!Requirements.RootWithFuse())
        {
            return;
        }

        using MountedMemoryFileSystem mounted = await MountedMemoryFileSystem.MountAsync(SampleTree.Create());

        foreach (string command in new[]
        {
            $"echo x > '{mounted.PathOf("hello.txt")}'",
            $"touch '{mounted.PathOf("new-file")}'",
            $"rm '{mounted.PathOf("hello.txt")}'",
            $"mkdir '{mounted.PathOf("new-dir")}'",
            $"ln -s a '{mounted.PathOf("new-link")}'",
            $"mv '{mounted.PathOf("empty")}' '{mounted.PathOf("moved")}'",
            $"setfattr -n user.x -v 1 '{mounted.PathOf("hello.txt")}'",
        })
        {
            ToolRunner.Result result = ToolRunner.Shell(command);
            Assert.NotEqual(0, result.ExitCode);
            Assert.Contains("Read-only file system", result.StandardError, StringComparison.Ordinal);
        }

        Assert.ThrowsAny<IOException>(() => File.WriteAllText(mounted.PathOf("hello.txt"), "changed"));
        Assert.Equal(SampleTree.HelloText, await File.ReadAllTextAsync(mounted.PathOf("hello.txt")));
        Assert.Equal(0, mounted.Session.Statistics.HandlerFailures);
    }

    [Fact]
    public async Task A_negative_lookup_is_cached_until_NotifyInvalidateEntry_makes_the_new_name_visible()
    {
        if (!Requirements.RootWithFuse())
        {
            return;
        }

        using MountedMemoryFileSystem mounted = await MountedMemoryFileSystem.MountAsync(SampleTree.Create());
        string path = mounted.PathOf("late.txt");
        Assert.Contains("hello.txt", Directory.GetFileSystemEntries(mounted.Mountpoint).Select(Path.GetFileName));

        Assert.False(File.Exists(path));
        long lookups = mounted.Session.Statistics[FuseOpcode.Lookup];
        Assert.False(File.Exists(path));
        Assert.Equal(lookups, mounted.Session.Statistics[FuseOpcode.Lookup]);

        mounted.FileSystem.AddFile(mounted.FileSystem.Root, "late.txt", "late\n"u8.ToArray());
        Assert.False(File.Exists(path)); // still the cached negative entry

        int entry = mounted.Session.NotifyInvalidateEntry(1, "late.txt"u8);
        int inode = mounted.Session.NotifyInvalidateInode(1, 0, 0);
        Assert.Equal(0, entry);
        Assert.True(inode is 0 or -Errno.ENOENT, $"NotifyInvalidateInode returned {inode}");

        Assert.True(File.Exists(path));
        Assert.Equal("late\n", await File.ReadAllTextAsync(path));
        Assert.Contains("late.txt", Directory.GetFileSystemEntries(mounted.Mountpoint).Select(Path.GetFileName));
    }

    [Fact]
    public async Task Eight_parallel_readers_get_correct_data()
    {
        if (!Requirements.RootWithFuse())
        {
            return;
        }

        MemoryFileSystem fs = SampleTree.Create();
        var expected = new Dictionary<string, byte[]>();
        for (int i = 0; i < 64; i++)
        {
            byte[] content = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat($"file {i};", 1 + (i * 97))));
            fs.AddFile(fs.Root, $"f{i:D2}", content);
            expected[$"f{i:D2}"] = content;
        }

        using MountedMemoryFileSystem mounted = await MountedMemoryFileSystem.MountAsync(fs);
        var failures = new System.Collections.Concurrent.ConcurrentBag<string>();
        var threads = Enumerable.Range(0, 8).Select(t => new Thread(() =>
        {
            try
            {
                for (int round = 0; round < 4; round++)
                {
                    foreach ((string name, byte[] content) in expected)
                    {
                        if (!File.ReadAllBytes(mounted.PathOf(name)).AsSpan().SequenceEqual(content))
                        {
                            failures.Add($"{name} differs in thread {t}");
                        }
                    }

                    using var stream = new FileStream(mounted.PathOf("big.bin"), FileMode.Open, FileAccess.Read, FileShare.Read, 0);
                    var chunk = new byte[65536];
                    stream.Position = t * 65536L * 5;
                    stream.ReadExactly(chunk);
                    if (!chunk.AsSpan().SequenceEqual(SampleTree.BigContent.AsSpan(t * 65536 * 5, 65536)))
                    {
                        failures.Add($"big.bin chunk differs in thread {t}");
                    }
                }
            }
            catch (Exception ex)
            {
                failures.Add(ex.ToString());
            }
        })).ToList();
        threads.ForEach(thread => thread.Start());
        threads.ForEach(thread => thread.Join());

        Assert.Empty(failures);
        Assert.Equal(0, mounted.Session.Statistics.HandlerFailures);
    }

    [Fact]
    public async Task Unmount_removes_the_mount_and_the_reader_threads_exit()
    {
        if (!Requirements.RootWithFuse())
        {
            return;
        }

        MountedMemoryFileSystem mounted = await MountedMemoryFileSystem.MountAsync(SampleTree.Create());
        Assert.NotNull(MountTable.Find(mounted.Mountpoint));
        Assert.Equal("fuse.distrid-test", MountTable.Find(mounted.Mountpoint)!.FileSystemType);
        Assert.Equal(SampleTree.HelloText, await File.ReadAllTextAsync(mounted.PathOf("hello.txt")));

        mounted.Dispose();

        Assert.True(mounted.Session.Completion.IsCompletedSuccessfully);
        Assert.Null(MountTable.Find(mounted.Mountpoint));
        Assert.False(mounted.Session.Mount.IsMounted);
        Assert.Equal(-1, mounted.Session.Mount.DeviceFd);
    }
}
