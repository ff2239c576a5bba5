using System.Diagnostics;
using Distrid.Generations;
using Distrid.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;

namespace Distrid.Tests.Daemon;

/// <summary>
/// issue 10 item 5: a current generation the daemon cannot read stops its start with one line naming the file and
/// the way back, and nothing in the state directory changes (no adoption of the store's images). The check runs
/// before anything is mounted, so this needs neither root nor FUSE.
/// </summary>
public sealed class CorruptGenerationStartTests : IDisposable
{
    private readonly TempDirectory _root = new();

    [Fact]
    public async Task A_corrupt_current_generation_stops_the_start_with_one_line_and_writes_nothing()
    {
        var paths = new DaemonPaths(_root.Path);
        File.WriteAllBytes(Path.Combine(paths.Store, "a-amd64-1-1.squashfs"), [1, 2, 3]);
        var store = new GenerationStore(paths.State, NullLogger<GenerationStore>.Instance);
        store.Commit("t1", new Generation { Number = 1, Packages = [], Requested = [] });
        store.Commit("t2", new Generation { Number = 2, Packages = [], Requested = [] });
        string corrupt = Path.Combine(paths.State, "generations", "2.json");
        File.WriteAllText(corrupt, "{ \"number\": 2, \"pack");
        string before = Snapshot(_root.Path);

        var psi = new ProcessStartInfo(DaemonCommand.Prefix[0]) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (string arg in DaemonCommand.Prefix.Skip(1).Concat(paths.Arguments()))
        {
            psi.ArgumentList.Add(arg);
        }

        using var daemon = Process.Start(psi)!;
        Task<string> stdout = daemon.StandardOutput.ReadToEndAsync();
        string stderr = await daemon.StandardError.ReadToEndAsync();
        await daemon.WaitForExitAsync();

        Assert.NotEqual(0, daemon.ExitCode);
        string[] lines = stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        string line = Assert.Single(lines);
        Assert.StartsWith("distrid: cannot start: generation file " + corrupt, line);
        Assert.Contains("ln -sfn generations/1.json", line);
        Assert.Equal("", await stdout);
        Assert.Equal(before, Snapshot(_root.Path));
    }

    /// <summary>Every entry under <paramref name="root"/> with its size, mtime or link target.</summary>
    private static string Snapshot(string root) => string.Join('\n', Directory.EnumerateFileSystemEntries(root, "*", SearchOption.AllDirectories)
        .Order(StringComparer.Ordinal)
        .Select(p => new FileInfo(p) is { LinkTarget: { } target } ? $"{p} -> {target}"
            : Directory.Exists(p) ? $"{p}/ {Directory.GetLastWriteTimeUtc(p):O}"
            : $"{p} {new FileInfo(p).Length} {File.GetLastWriteTimeUtc(p):O}"));

    public void Dispose() => _root.Dispose();
}
