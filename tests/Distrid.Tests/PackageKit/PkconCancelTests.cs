using System.Diagnostics;
using Distrid.Tests.Repository;
using Distrid.Tests.Support;

namespace Distrid.Tests.PackageKit;

/// <summary>
/// Ctrl-C in pkcon while its install downloads: the transaction is cancelled (pkcon's Cancel, or its leaving the bus)
/// before the commit, and nothing changes. A mirror of its own holds the image's transfer open for as long as needed.
/// </summary>
public sealed class PkconCancelTests
{
    private static readonly string[] Needs = [.. PrivateSystemBus.Needs, PackageKitFixture.Pkcon, "/usr/bin/kill"];

    [Fact]
    public async Task An_interrupted_install_changes_nothing()
    {
        if (!Requirements.RootWith(Needs))
        {
            return;
        }

        using var repo = TestRepository.Create(packages: 1, zst: false);
        var package = repo.Packages[0];
        using var mirror = new FaultyHttpServer(repo.WebRoot);
        string image = $"/repo/pkg/{package.FullName}.squashfs";
        var release = new TaskCompletionSource();
        mirror.AddFault(image, new HoldFault(1024, release.Task), times: 10);
        await using var bus = (await PrivateSystemBus.TryStartAsync())!;
        using var dir = new TempDirectory();
        var paths = new DaemonPaths(dir.Path) { DBus = bus.Address };
        await using var daemon = await DaemonProcess.StartAsync(paths, bus.Environment,
            "--repo", mirror.UrlFor("repo").ToString(), "--trusted-keys", repo.TrustedDir, "--packagekit");
        await using var client = await BusClient.ConnectAsync(bus.Address);
        int before = (await client.StatusAsync())["generation"].GetInt32();

        var psi = new ProcessStartInfo(PackageKitFixture.Pkcon) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string argument in new[] { "-y", "install", package.Name.Name })
        {
            psi.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in bus.Environment)
        {
            psi.Environment[name] = value;
        }

        using var pkcon = Process.Start(psi)!;
        var stdout = pkcon.StandardOutput.ReadToEndAsync();
        var stderr = pkcon.StandardError.ReadToEndAsync();
        try
        {
            await WaitUntilAsync(() => Task.FromResult(mirror.Requests.Any(r => r.Path == image)), "the download never started");
            Assert.True((await client.StatusAsync()).ContainsKey("transaction"), "no transaction runs while the image downloads");

            var interrupt = await bus.RunAsync("/usr/bin/kill", ["-INT", pkcon.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
            Assert.True(interrupt.ExitCode == 0, interrupt.StandardError);
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await pkcon.WaitForExitAsync(timeout.Token);
            await WaitUntilAsync(async () => !(await client.StatusAsync()).ContainsKey("transaction"), "the install kept running after pkcon was interrupted");
        }
        finally
        {
            release.TrySetResult();
            if (!pkcon.HasExited)
            {
                pkcon.Kill();
            }
        }

        Assert.Equal(before, (await client.StatusAsync())["generation"].GetInt32());
        Assert.False(Directory.Exists(Path.Combine(paths.Mountpoint, package.FullName)), await stdout + await stderr);
        Assert.False(File.Exists(Path.Combine(paths.Store, package.FullName + ".squashfs")));
    }

    /// <summary>The mirror and the daemon's status have no event to wait for: ask until it holds (well below the
    /// mirror's 30 s stall guard, which would end the transaction too).</summary>
    private static async Task WaitUntilAsync(Func<Task<bool>> condition, string failure)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, failure);
            await Task.Delay(TimeSpan.FromMilliseconds(50));
        }
    }
}
