using Distrid.Tests.Support;

namespace Distrid.Tests.Systemd;

/// <summary>
/// Lazily unmounts the test's own mountpoint on dispose if a failed test left it mounted (a kill leaves a mount
/// whose connection lives on in the stand-in's fd store). Touches nothing but this one path.
/// </summary>
public sealed class MountCleanup(string mountpoint) : IDisposable
{
    public void Dispose() => TestMounts.Detach(mountpoint);
}
