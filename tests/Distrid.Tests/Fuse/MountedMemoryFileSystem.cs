using Distrid.Fuse.Mounting;
using Distrid.Fuse.Session;
using Distrid.Tests.Support;

namespace Distrid.Tests.Fuse;

/// <summary>
/// A <see cref="MemoryFileSystem"/> mounted on a fresh temporary directory through the real kernel, with INIT
/// already answered. Disposing unmounts, waits for the reader threads, and removes the directory.
/// </summary>
internal sealed class MountedMemoryFileSystem : IDisposable
{
    private MountedMemoryFileSystem(string mountpoint, MemoryFileSystem fileSystem, FuseSession session)
    {
        Mountpoint = mountpoint;
        FileSystem = fileSystem;
        Session = session;
    }

    public string Mountpoint { get; }

    public MemoryFileSystem FileSystem { get; }

    public FuseSession Session { get; }

    public string PathOf(string relative) => Path.Combine(Mountpoint, relative);

    public static async Task<MountedMemoryFileSystem> MountAsync(
        MemoryFileSystem fileSystem, FuseMountOptions? mountOptions = null, FuseSessionOptions? sessionOptions = null)
    {
        string mountpoint = Directory.CreateTempSubdirectory("distrid-fuse-test-").FullName;
        FuseMount mount = FuseMount.Mount(mountpoint, mountOptions ?? new FuseMountOptions { FileSystemName = "distrid-test", Source = "distrid-test" });
        FuseSession session = FuseSession.Start(mount, fileSystem, sessionOptions ?? new FuseSessionOptions { ReaderThreads = 4 });
        await session.Initialized.WaitAsync(TimeSpan.FromSeconds(10));
        return new MountedMemoryFileSystem(mountpoint, fileSystem, session);
    }

    public void Dispose()
    {
        Session.Dispose();
        try
        {
            TestMounts.Remove(Mountpoint);
        }
        catch (IOException)
        {
            // Not failing the test on cleanup; scripts/test.sh ends with a check that names whatever is left.
        }
    }
}
