using Distrid.Tests.Support;

namespace Distrid.Tests.JsonRpc;

/// <summary>One daemon (no mirror) shared by a class's tests, started on first use so that a run without root
/// skips the class (the tests check <see cref="Requirements.RootWithFuse"/> first) instead of failing in the fixture.</summary>
public sealed class SocketDaemonFixture : IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly Lazy<Task<DaemonProcess>> _daemon;

    public SocketDaemonFixture()
    {
        Paths = new DaemonPaths(_dir.Path);
        _daemon = new Lazy<Task<DaemonProcess>>(() => DaemonProcess.StartAsync(Paths));
    }

    public DaemonPaths Paths { get; }

    public Task<DaemonProcess> DaemonAsync() => _daemon.Value;

    public void Dispose()
    {
        if (_daemon.IsValueCreated && _daemon.Value.IsCompletedSuccessfully)
        {
            var daemon = _daemon.Value.Result;
            // SIGTERM unmounts; a killed daemon would leave a dead mount behind.
            daemon.StopAsync().GetAwaiter().GetResult();
            daemon.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }

        _dir.Dispose();
    }
}
