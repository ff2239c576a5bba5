using System.Diagnostics;
using System.Security.Cryptography;
using System.Text.Json;
using Distrid.Tests.Support;

namespace Distrid.Tests.Transactions;

/// <summary>
/// SIGKILL of the daemon at random moments of install, update and gc, then a restart: the current generation is
/// whole (every package it names is in the store and matches its sha256), nothing temporary shows under /ro, and
/// the same command retried succeeds.
/// </summary>
public sealed class CrashSafetyTests
{
    /// <summary>10 in the suite; bench/crash-bench.sh sets DISTRID_CRASH_TRIALS=100.</summary>
    private static readonly int Trials = int.TryParse(Environment.GetEnvironmentVariable("DISTRID_CRASH_TRIALS"), out int n) && n > 0 ? n : 10;

    [Fact]
    public async Task Killing_the_daemon_mid_transaction_leaves_the_old_or_the_new_generation()
    {
        // Big incompressible payloads make the download phase long enough for kills to land inside it.
        await using var system = MirroredSystem.TryCreate(mirror =>
        {
            foreach (int revision in new[] { 1, 2 })
            {
                mirror.Add($"big-amd64-1-{revision}", new Dictionary<string, string>
                {
                    ["bin/big"] = PackageFactory.Script($"big {revision}"),
                    ["share/big/payload"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(6 << 20)),
                });
            }
        });
        if (system is null)
        {
            return;
        }

        var (mirror, paths) = (system.Mirror, system.Paths);
        string[][] commands = [["install", "big-amd64-1-1"], ["install", "big-amd64-1-2"], ["update"], ["gc", "--keep", "1"], ["install", "big"]];
        var random = new Random(1234);
        for (int trial = 0; trial < Trials; trial++)
        {
            string[] command = commands[random.Next(commands.Length)];
            int before;
            await using (var daemon = await DaemonProcess.StartAsync(paths, mirror.DaemonArguments()))
            {
                before = CurrentGeneration(paths);
                using var client = StartClient(paths, command);
                await Task.Delay(random.Next(0, 700));
                await daemon.KillAsync();
                client.Kill(entireProcessTree: true);
                await client.WaitForExitAsync();
            }

            await using (var restarted = await DaemonProcess.StartAsync(paths, mirror.DaemonArguments()))
            {
                int after = CurrentGeneration(paths);
                Assert.True(after == before || after > before, $"trial {trial}: generation went from {before} to {after}");
                AssertGenerationIsWhole(paths);
                Assert.DoesNotContain(Directory.GetFileSystemEntries(paths.Mountpoint), e => Path.GetFileName(e).StartsWith('.'));
                var retry = await Cli.RunAsync(["--socket", paths.Socket, .. command]);
                Assert.True(retry.ExitCode == 0, $"trial {trial}: retry of {string.Join(' ', command)} failed: {retry.Stderr}");
                AssertGenerationIsWhole(paths);
            }
        }
    }

    private static Process StartClient(DaemonPaths paths, string[] command)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string arg in new[] { Path.Combine(AppContext.BaseDirectory, "districtl.dll"), "--socket", paths.Socket }.Concat(command))
        {
            psi.ArgumentList.Add(arg);
        }

        return Process.Start(psi)!;
    }

    private static int CurrentGeneration(DaemonPaths paths)
    {
        string target = new FileInfo(Path.Combine(paths.State, "current")).LinkTarget!;
        return int.Parse(Path.GetFileNameWithoutExtension(target), System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>Every package the current generation names is in the store and matches the sha256 of its metadata.</summary>
    private static void AssertGenerationIsWhole(DaemonPaths paths)
    {
        string current = Path.Combine(paths.State, new FileInfo(Path.Combine(paths.State, "current")).LinkTarget!);
        using var generation = JsonDocument.Parse(File.ReadAllBytes(current));
        foreach (var package in generation.RootElement.GetProperty("packages").EnumerateArray())
        {
            string fullName = package.GetString()!;
            string image = Path.Combine(paths.Store, fullName + ".squashfs");
            Assert.True(File.Exists(image), $"{fullName} is named by the current generation but missing from the store");
            using var meta = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(paths.Store, fullName + ".meta.json")));
            using var stream = File.OpenRead(image);
            Assert.Equal(meta.RootElement.GetProperty("sha256").GetString(), Convert.ToHexStringLower(SHA256.HashData(stream)));
        }
    }
}
