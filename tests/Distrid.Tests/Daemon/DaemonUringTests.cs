using System.Text;
using System.Text.Json;
using Distrid.Tests.Fuse;
using Distrid.Tests.Support;

namespace Distrid.Tests.Daemon;

/// <summary>
/// The daemon with <c>fuseIoUring: true</c> on a kernel that allows FUSE over io_uring: /ro is served through the
/// rings (status counts them in fuse.ringRequests), reads the packed bytes, and a stop unmounts without hanging.
/// </summary>
public sealed class DaemonUringTests
{
    private const string Name = "uring-amd64-1-1";

    [Fact]
    public async Task Ro_is_served_through_io_uring_and_the_status_counts_the_ring_requests()
    {
        if (!Requirements.RootWith("/dev/fuse", KernelUringSwitch.ParameterPath))
        {
            return;
        }

        using var dir = new TempDirectory();
        var paths = new DaemonPaths(dir.Path);
        await File.WriteAllTextAsync(paths.Config, """{"fuseIoUring": true}""", TestContext.Current.CancellationToken);
        var files = Enumerable.Range(0, 60).ToDictionary(i => $"share/u/file{i:D2}.txt", i => new string((char)('a' + (i % 26)), 100 + (i * 997)));
        PackageFactory.Pack(paths.Store, Name, files, dir.Path);

        DaemonProcess daemon;
        using (await KernelUringSwitch.SetAsync(enabled: true))
        {
            daemon = await DaemonProcess.StartAsync(paths);
        }

        await using (daemon)
        {
            Assert.Contains("requests through io_uring", daemon.Stderr, StringComparison.Ordinal);
            string root = Path.Combine(paths.Mountpoint, Name);
            foreach (var (path, content) in files)
            {
                Assert.Equal(Encoding.ASCII.GetBytes(content), await File.ReadAllBytesAsync(Path.Combine(root, path), TestContext.Current.CancellationToken));
            }

            var status = await Cli.RunAsync("--socket", paths.Socket, "--json", "status");
            Assert.True(status.ExitCode == 0, status.Stderr);
            using var doc = JsonDocument.Parse(status.Stdout);
            JsonElement fuse = doc.RootElement.GetProperty("fuse");
            long ringRequests = fuse.GetProperty("ringRequests").GetInt64();
            long reads = fuse.GetProperty("byOpcode").TryGetProperty("READ", out JsonElement read) ? read.GetInt64() : 0;
            Assert.True(reads > 0, status.Stdout);
            Assert.True(ringRequests >= reads, $"{ringRequests} requests through the rings, {reads} READs");

            Assert.Equal(0, await daemon.StopAsync());
            Assert.DoesNotContain(File.ReadAllLines("/proc/self/mountinfo"), line => line.Contains(" " + paths.Mountpoint + " ", StringComparison.Ordinal));
        }
    }
}
