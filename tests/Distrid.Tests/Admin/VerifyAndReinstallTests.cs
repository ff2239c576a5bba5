namespace Distrid.Tests.Admin;

/// <summary><c>verify</c> finds a damaged store image; <c>install --reinstall</c> repairs it while /ro keeps serving others.</summary>
public sealed class VerifyAndReinstallTests
{
    [Fact]
    public async Task Verify_finds_a_flipped_byte_and_reinstall_repairs_it_while_a_reader_keeps_reading_other_packages()
    {
        await using var system = AdminSystem.Create();
        if (system is null)
        {
            return;
        }

        await system.StartDaemonAsync();
        await system.RunAsync("install", "app");
        string ro = system.Paths.Mountpoint;
        var sound = await system.JsonAsync("verify");
        Assert.Equal(["app-amd64-1-1", "base-amd64-1-1", "mid-amd64-1-1"], sound.EnumerateArray().Where(v => v.GetProperty("ok").GetBoolean()).Select(v => v.GetProperty("fullName").GetString()).Order(StringComparer.Ordinal));

        // One byte flipped in the stored image of base, as a failing disk would.
        string image = Path.Combine(system.Paths.Store, "base-amd64-1-1.squashfs");
        byte[] original = await File.ReadAllBytesAsync(image);
        await using (var stream = new FileStream(image, FileMode.Open, FileAccess.ReadWrite))
        {
            stream.Position = original.Length / 2;
            stream.WriteByte((byte)(original[original.Length / 2] ^ 0x5A));
        }

        var damaged = await system.CliAsync("verify");
        Assert.Equal(1, damaged.ExitCode);
        string line = Assert.Single(damaged.Stderr.Trim().Split('\n'));
        Assert.StartsWith("districtl: base-amd64-1-1 is damaged: sha256 ", line);
        Assert.EndsWith("fix: districtl install --reinstall base-amd64-1-1", line);
        Assert.Contains("ok       app-amd64-1-1", damaged.Stdout);
        Assert.Equal(0, (await system.CliAsync("verify", "app", "mid")).ExitCode);
        var one = await system.CliAsync("--json", "verify", "base");
        Assert.Equal(1, one.ExitCode);
        Assert.Contains("\"ok\": false", one.Stdout);
        Assert.Contains("no image of 'nothing-such' in the store", await system.FailsAsync("verify", "nothing-such"));

        // A reader of another package keeps reading, without one error, through the repair.
        using var stop = new CancellationTokenSource();
        long reads = 0;
        var failures = new List<string>();
        var reader = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    string text = await File.ReadAllTextAsync(Path.Combine(ro, "bin/app"));
                    if (text != AdminSystem.App["bin/app"])
                    {
                        failures.Add("wrong content: " + text);
                    }
                }
                catch (IOException e)
                {
                    failures.Add(e.Message);
                }

                Interlocked.Increment(ref reads);
            }
        });

        var repaired = await system.JsonAsync("install", "--reinstall", "base");
        Assert.Equal(["base-amd64-1-1"], repaired.GetProperty("downloaded").Strings());
        await stop.CancelAsync();
        await reader;
        Assert.Empty(failures);
        Assert.True(Interlocked.Read(ref reads) > 0);

        Assert.Equal(original, await File.ReadAllBytesAsync(image));
        Assert.Equal(0, (await system.CliAsync("verify")).ExitCode);
        Assert.Equal("base library", await File.ReadAllTextAsync(Path.Combine(ro, "lib/libbase.txt")));
        Assert.Equal("base library", await File.ReadAllTextAsync(Path.Combine(ro, "base-amd64-1-1/lib/libbase.txt")));
        var history = (await system.JsonAsync("history")).EnumerateArray().Last();
        Assert.Equal("install --reinstall base", history.GetProperty("description").GetString());
        Assert.Equal("committed", history.GetProperty("result").GetString());
    }
}
