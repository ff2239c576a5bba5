using Distrid.Tests.Support;

namespace Distrid.Tests.Systemd;

/// <summary>
/// What every test against the systemd stand-in starts from: a temporary root with the daemon's paths, the stand-in
/// listening on its notify socket, and /ro unmounted at the end whatever the test left behind.
/// </summary>
internal sealed class SystemdScene : IDisposable
{
    private readonly TempDirectory _root = new("distrid-test-systemd");
    private readonly MountCleanup _cleanup;

    public SystemdScene()
    {
        Paths = new DaemonPaths(_root.Path);
        _cleanup = new MountCleanup(Paths.Mountpoint);
        Systemd = new FakeSystemd(_root.Path);
    }

    public string Root => _root.Path;

    public DaemonPaths Paths { get; }

    public FakeSystemd Systemd { get; }

    public void Dispose()
    {
        Systemd.Dispose();
        _cleanup.Dispose();
        _root.Dispose();
    }
}
