using System.Diagnostics;
using Distrid.Tests.Support;

namespace Distrid.Tests.Admin;

/// <summary>
/// A <c>districtl run</c> of a shell script that the test can catch inside its view: the script finds the mountpoint in
/// <c>$ro</c> and a scratch directory in <c>$out</c>, writes "ready" to the fifo <c>$out/ready</c> once it is inside, and
/// may then block reading the fifo <c>$out/release</c> until the test has looked at the view and the outside at once.
/// </summary>
internal sealed class HeldRun : IDisposable
{
    private readonly TempDirectory _scratch = new();
    private readonly string _ready;
    private readonly string _release;

    private HeldRun(MirroredSystem system, string script, string[] with)
    {
        _ready = MakeFifo(_scratch.Path, "ready");
        _release = MakeFifo(_scratch.Path, "release");
        string[] chosen = [.. with.SelectMany(fullName => new[] { "--with", fullName })];
        Process = Cli.Start(["--socket", system.Paths.Socket, "run", .. chosen, "--", "/bin/sh", "-c", "ro=$1; out=$2\n" + script, "sh", system.Paths.Mountpoint, _scratch.Path]);
        Stderr = Process.StandardError.ReadToEndAsync();
        Stdout = Process.StandardOutput.ReadToEndAsync();
    }

    /// <summary>The districtl process.</summary>
    public Process Process { get; }

    public Task<string> Stdout { get; }

    public Task<string> Stderr { get; }

    /// <summary>Where the script may leave what it saw (its <c>$out</c>).</summary>
    public string Scratch => _scratch.Path;

    /// <summary>Starts the script in a view that chooses <paramref name="with"/> and returns once it has said it is ready.</summary>
    public static async Task<HeldRun> StartAsync(MirroredSystem system, string script, params string[] with)
    {
        var run = new HeldRun(system, script, with);
        try
        {
            Assert.Equal("ready", (await run.ReadReadyAsync()).Trim());
            return run;
        }
        catch
        {
            run.Dispose();
            throw;
        }
    }

    /// <summary>Lets a script that waits on <c>$out/release</c> go on, and waits until districtl has exited.</summary>
    public async Task ReleaseAsync()
    {
        await File.WriteAllTextAsync(_release, "go\n");
        await Process.WaitForExitAsync();
    }

    public void Dispose()
    {
        Process.Dispose();
        _scratch.Dispose();
    }

    private static string MakeFifo(string directory, string name)
    {
        string path = Path.Combine(directory, name);
        using var mkfifo = Process.Start("mkfifo", [path]);
        mkfifo.WaitForExit();
        Assert.Equal(0, mkfifo.ExitCode);
        return path;
    }

    /// <summary>Reads the ready fifo, failing (instead of hanging) if districtl exits before the script writes it.</summary>
    private async Task<string> ReadReadyAsync()
    {
        var read = Task.Run(() => File.ReadAllText(_ready));
        var exited = Process.WaitForExitAsync();
        if (await Task.WhenAny(read, exited) == exited && !read.IsCompleted)
        {
            // Unblock the reader's open, then report why the command never got there.
            await File.WriteAllTextAsync(_ready, "");
            Assert.Fail($"districtl run exited {Process.ExitCode} before the command was ready: {await Stderr}");
        }

        return await read;
    }
}
