using System.Diagnostics;
using System.Security.Cryptography;
using System.Text.Json;
using Distrid.Tests.Support;

namespace Distrid.Tests.FileSystem;

/// <summary>The /ro mount as users meet it: a real distrid process, a real kernel FUSE mount, real programs.</summary>
public sealed class RoMountTests
{
    [Fact]
    public async Task Exchange_directories_merge_packages_and_the_highest_revision_wins()
    {
        if (!Requirements.RootWithFuse())
        {
            return;
        }

        using var dir = new TempDirectory();
        var paths = new DaemonPaths(dir.Path);
        PackageFactory.Pack(paths.Store, "greet-amd64-1.0-1", new Dictionary<string, string>
        {
            ["bin/greet"] = PackageFactory.Script("greet revision 1"),
            ["bin/greet-old"] = PackageFactory.Script("only in revision 1"),
            ["share/man/man1/greet.1"] = "greet(1) r1",
        }, dir.Path);
        PackageFactory.Pack(paths.Store, "greet-amd64-1.0-2", new Dictionary<string, string>
        {
            ["bin/greet"] = PackageFactory.Script("greet revision 2"),
            ["share/man/man1/greet.1"] = "greet(1) r2",
        }, dir.Path);
        PackageFactory.Pack(paths.Store, "other-amd64-3-1", new Dictionary<string, string>
        {
            ["bin/other"] = PackageFactory.Script("other"),
            ["bin/other-link"] = "->other",
            ["share/man/man1/other.1"] = "other(1)",
        }, dir.Path);
        await using var daemon = await DaemonProcess.StartAsync(paths);
        string ro = paths.Mountpoint;

        Assert.Equal("greet revision 2", await RunAsync(Path.Combine(ro, "bin/greet")));
        Assert.Equal("other", await RunAsync(Path.Combine(ro, "bin/other")));
        Assert.Equal("../greet-amd64-1.0-2/bin/greet", new FileInfo(Path.Combine(ro, "bin/greet")).LinkTarget);
        Assert.False(File.Exists(Path.Combine(ro, "bin/greet-old")));
        Assert.Equal(["greet.1", "other.1"], Directory.GetFileSystemEntries(Path.Combine(ro, "share/man/man1")).Select(Path.GetFileName).Order());
        Assert.Equal("greet(1) r2", await File.ReadAllTextAsync(Path.Combine(ro, "share/man/man1/greet.1")));
        // The older revision keeps its hermetic path.
        Assert.Equal("greet revision 1", await RunAsync(Path.Combine(ro, "greet-amd64-1.0-1/bin/greet")));
        Assert.Equal("other", await RunAsync(Path.Combine(ro, "other-amd64-3-1/bin/other-link")));

        var write = Assert.ThrowsAny<IOException>(() => File.WriteAllText(Path.Combine(ro, "bin/new"), "x"));
        Assert.Contains("Read-only file system", write.Message);
        Assert.ThrowsAny<IOException>(() => File.Delete(Path.Combine(ro, "other-amd64-3-1/bin/other")));

        var status = await Cli.RunAsync("--socket", paths.Socket, "--json", "status");
        using var doc = JsonDocument.Parse(status.Stdout);
        Assert.True(doc.RootElement.GetProperty("mounted").GetBoolean());
        Assert.Equal(3, doc.RootElement.GetProperty("packageCount").GetInt32());

        Assert.Equal(0, await daemon.StopAsync());
        Assert.Empty(Directory.GetFileSystemEntries(ro));
    }

    [Fact]
    public async Task Conflicting_names_resolve_by_name_order_and_status_reports_them()
    {
        if (!Requirements.RootWithFuse())
        {
            return;
        }

        using var dir = new TempDirectory();
        var paths = new DaemonPaths(dir.Path);
        PackageFactory.Pack(paths.Store, "vim-amd64-9.0-1", new Dictionary<string, string> { ["bin/vi"] = PackageFactory.Script("vim") }, dir.Path);
        PackageFactory.Pack(paths.Store, "nvi-amd64-1.81-1", new Dictionary<string, string> { ["bin/vi"] = PackageFactory.Script("nvi") }, dir.Path);
        await using var daemon = await DaemonProcess.StartAsync(paths);

        Assert.Equal("nvi", await RunAsync(Path.Combine(paths.Mountpoint, "bin/vi")));
        var status = await Cli.RunAsync("--socket", paths.Socket, "--json", "status");
        using var doc = JsonDocument.Parse(status.Stdout);
        var conflict = Assert.Single(doc.RootElement.GetProperty("conflicts").EnumerateArray());
        Assert.Equal("bin/vi", conflict.GetProperty("path").GetString());
        Assert.Equal("nvi-amd64-1.81-1", conflict.GetProperty("winner").GetString());
    }

    [Fact]
    public async Task Eight_parallel_readers_read_exactly_the_packed_bytes()
    {
        if (!Requirements.RootWithFuse())
        {
            return;
        }

        using var dir = new TempDirectory();
        var paths = new DaemonPaths(dir.Path);
        var random = new Random(42);
        var files = new Dictionary<string, string>();
        for (int i = 0; i < 40; i++)
        {
            // Text of varied sizes across block and fragment boundaries, partly compressible.
            int size = random.Next(0, 400_000);
            var chars = new char[size];
            for (int c = 0; c < size; c++)
            {
                chars[c] = (char)(i % 3 == 0 ? 'a' + random.Next(26) : 'a' + ((c / 7) % 26));
            }

            files[$"share/data/file{i:D2}.txt"] = new string(chars);
        }

        PackageFactory.Pack(paths.Store, "data-amd64-1-1", files, dir.Path);
        await using var daemon = await DaemonProcess.StartAsync(paths);
        string root = Path.Combine(paths.Mountpoint, "data-amd64-1-1");

        var readers = Enumerable.Range(0, 8).Select(reader => Task.Factory.StartNew(() =>
        {
            var rng = new Random(reader);
            for (int n = 0; n < 200; n++)
            {
                var (path, content) = files.ElementAt(rng.Next(files.Count));
                byte[] expected = System.Text.Encoding.UTF8.GetBytes(content);
                using var stream = new FileStream(Path.Combine(root, path), FileMode.Open, FileAccess.Read, FileShare.Read, 1);
                Assert.Equal(expected.Length, stream.Length);
                if (expected.Length == 0)
                {
                    continue;
                }

                long offset = rng.NextInt64(expected.Length);
                int length = (int)Math.Min(rng.Next(1, 300_000), expected.Length - offset);
                var buffer = new byte[length];
                stream.Position = offset;
                stream.ReadExactly(buffer);
                Assert.True(buffer.AsSpan().SequenceEqual(expected.AsSpan((int)offset, length)), $"{path} at {offset}+{length}");
            }
        }, TaskCreationOptions.LongRunning)).ToArray();
        await Task.WhenAll(readers);

        // And through the exchange directory, the whole files.
        foreach (var (path, content) in files.Take(5))
        {
            Assert.Equal(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(content)), SHA256.HashData(await File.ReadAllBytesAsync(Path.Combine(paths.Mountpoint, path))));
        }
    }

    [Fact]
    public async Task A_corrupt_image_gives_EIO_for_its_damaged_data_and_everything_else_still_reads()
    {
        if (!Requirements.RootWithFuse())
        {
            return;
        }

        using var dir = new TempDirectory();
        var paths = new DaemonPaths(dir.Path);
        string damaged = PackageFactory.Pack(paths.Store, "damaged-amd64-1-1", new Dictionary<string, string>
        {
            ["bin/damaged"] = PackageFactory.Script("damaged but runs"),
            ["share/damaged/big.txt"] = string.Concat(Enumerable.Repeat("compressible text line\n", 40_000)),
        }, dir.Path);
        PackageFactory.Pack(paths.Store, "healthy-amd64-1-1", new Dictionary<string, string> { ["bin/healthy"] = PackageFactory.Script("healthy") }, dir.Path);
        File.WriteAllBytes(Path.Combine(paths.Store, "garbage-amd64-1-1.squashfs"), RandomNumberGenerator.GetBytes(8192));
        // The first data block (the big file's, at offset 96) gets overwritten with noise: it no longer decompresses.
        using (var stream = new FileStream(damaged, FileMode.Open, FileAccess.Write))
        {
            stream.Position = 200;
            stream.Write(RandomNumberGenerator.GetBytes(64));
        }

        await using var daemon = await DaemonProcess.StartAsync(paths);

        var ex = Assert.ThrowsAny<IOException>(() => File.ReadAllBytes(Path.Combine(paths.Mountpoint, "damaged-amd64-1-1/share/damaged/big.txt")));
        Assert.Contains("Input/output error", ex.Message);
        Assert.Equal("healthy", await RunAsync(Path.Combine(paths.Mountpoint, "bin/healthy")));
        Assert.ThrowsAny<IOException>(() => Directory.GetFileSystemEntries(Path.Combine(paths.Mountpoint, "garbage-amd64-1-1")));

        var status = await Cli.RunAsync("--socket", paths.Socket, "--json", "status");
        Assert.True(status.ExitCode == 0, status.Stderr);
        using var doc = JsonDocument.Parse(status.Stdout);
        Assert.Contains(doc.RootElement.GetProperty("brokenImages").EnumerateArray(), b => b.GetProperty("fullName").GetString() == "garbage-amd64-1-1");
        Assert.False(daemon.HasExited);
    }

    [Fact]
    public async Task A_killed_daemon_leaves_a_dead_mount_that_the_next_start_recovers()
    {
        if (!Requirements.RootWithFuse())
        {
            return;
        }

        using var dir = new TempDirectory();
        var paths = new DaemonPaths(dir.Path);
        PackageFactory.Pack(paths.Store, "hello-amd64-1-1", new Dictionary<string, string> { ["bin/hello"] = PackageFactory.Script("hello") }, dir.Path);
        await using (var first = await DaemonProcess.StartAsync(paths))
        {
            Assert.Equal("hello", await RunAsync(Path.Combine(paths.Mountpoint, "bin/hello")));
            await first.KillAsync();
        }

        var dead = Assert.ThrowsAny<IOException>(() => Directory.GetFileSystemEntries(paths.Mountpoint));
        Assert.Contains("not connected", dead.Message);

        await using var second = await DaemonProcess.StartAsync(paths);
        Assert.Equal("hello", await RunAsync(Path.Combine(paths.Mountpoint, "bin/hello")));
        // The dead mount was removed, not covered: exactly one mount sits at the mountpoint.
        var mounts = File.ReadAllLines("/proc/self/mountinfo").Where(line => line.Split(' ')[4] == paths.Mountpoint).ToList();
        Assert.True(mounts.Count == 1, string.Join("\n", mounts) + "\n" + second.Stderr);
    }

    private static async Task<string> RunAsync(string program)
    {
        using var process = Process.Start(new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        string output = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.Equal(0, process.ExitCode);
        return output.Trim();
    }
}
