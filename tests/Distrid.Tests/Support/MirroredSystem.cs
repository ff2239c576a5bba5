namespace Distrid.Tests.Support;

/// <summary>
/// A whole system for transaction tests: a signed mirror served by nginx and a daemon that uses it, in one temporary
/// directory. Null (outside CI) when root, /dev/fuse or nginx is missing.
/// </summary>
public sealed class MirroredSystem : IAsyncDisposable
{
    private readonly TempDirectory _directory;

    private MirroredSystem(TempDirectory directory, TestMirror mirror, DaemonPaths paths)
    {
        _directory = directory;
        Mirror = mirror;
        Paths = paths;
    }

    public TestMirror Mirror { get; }

    public DaemonPaths Paths { get; }

    /// <summary>The running daemon, once <see cref="StartDaemonAsync"/> was called.</summary>
    public DaemonProcess? Daemon { get; private set; }

    /// <summary>Creates the mirror and lets <paramref name="populate"/> fill it (it is then published).</summary>
    public static MirroredSystem? TryCreate(Action<TestMirror> populate)
    {
        if (!Requirements.RootWithFuse())
        {
            return null;
        }

        var directory = new TempDirectory();
        var mirror = TestMirror.TryStart(Path.Combine(directory.Path, "www"));
        if (mirror is null)
        {
            directory.Dispose();
            return null;
        }

        populate(mirror);
        mirror.Publish();
        return new MirroredSystem(directory, mirror, new DaemonPaths(Path.Combine(directory.Path, "sys")));
    }

    public async Task<DaemonProcess> StartDaemonAsync(IReadOnlyDictionary<string, string>? environment = null, params string[] extraArguments)
    {
        Daemon = await DaemonProcess.StartAsync(Paths, environment ?? new Dictionary<string, string>(), [.. Mirror.DaemonArguments(), .. extraArguments]);
        return Daemon;
    }

    /// <summary>Runs districtl against this system's daemon.</summary>
    public Task<Cli.Result> CliAsync(params string[] args) => Cli.RunAsync(["--socket", Paths.Socket, .. args]);

    public async ValueTask DisposeAsync()
    {
        if (Daemon is not null)
        {
            await Daemon.DisposeAsync();
        }

        Mirror.Dispose();
        _directory.Dispose();
    }
}
