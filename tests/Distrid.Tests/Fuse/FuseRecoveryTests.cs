using Distrid.Fuse.Interop;
using Distrid.Fuse.Mounting;
using Distrid.Fuse.Session;
using Distrid.Tests.Support;

namespace Distrid.Tests.Fuse;

/// <summary>Dead servers, stale mounts, handover to a successor, and the unprivileged fusermount3 route.</summary>
public sealed class FuseRecoveryTests(ITestOutputHelper output)
{
    [Fact]
    public async Task An_aborted_connection_leaves_a_stale_mount_that_CleanStaleMount_removes()
    {
        if (!Requirements.RootWithFuse())
        {
            return;
        }

        using MountedMemoryFileSystem mounted = await MountedMemoryFileSystem.MountAsync(SampleTree.Create());
        Assert.False(FuseMount.IsStale(mounted.Mountpoint));
        Assert.False(FuseMount.CleanStaleMount(mounted.Mountpoint));

        // The server side dies without unmounting: the readers see ENODEV and stop; callers get ENOTCONN.
        Assert.True(mounted.Session.Mount.AbortConnection());
        await mounted.Session.Completion.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.NotNull(MountTable.Find(mounted.Mountpoint));
        Assert.True(FuseMount.IsStale(mounted.Mountpoint));
        IOException error = Assert.ThrowsAny<IOException>(() => File.ReadAllText(mounted.PathOf("hello.txt")));
        output.WriteLine(error.Message);

        Assert.True(FuseMount.CleanStaleMount(mounted.Mountpoint));
        Assert.Null(MountTable.Find(mounted.Mountpoint));
        Assert.False(FuseMount.IsStale(mounted.Mountpoint));
    }

    [Fact]
    public async Task A_successor_resumes_an_inherited_descriptor_and_NOTIFY_RESEND_recovers_a_dropped_request()
    {
        if (!Requirements.RootWithFuse())
        {
            return;
        }

        MemoryFileSystem fs = SampleTree.Create();
        using var directory = new TempDirectory("distrid-fuse-handover");
        string mountpoint = directory.Path;
        FuseMount first = FuseMount.Mount(mountpoint, new FuseMountOptions { FileSystemName = "distrid-test" });
        FuseSession predecessor = FuseSession.Start(first, fs, new FuseSessionOptions { ReaderThreads = 1 });
        FuseInitResult negotiated = await predecessor.Initialized.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(7u, negotiated.Major);
        Assert.True(negotiated.SupportsResend, $"kernel minor {negotiated.Minor} lacks NOTIFY_RESEND");

        // Persist what INIT negotiated, as a daemon would beside the descriptor in systemd's fd store.
        var persisted = new byte[FuseInitResult.SerializedSize];
        negotiated.WriteTo(persisted);
        int inherited = Libc.Dup(first.DeviceFd);
        Assert.True(inherited >= 0);

        // The predecessor "crashes" right after reading the next request, leaving it unanswered.
        predecessor.AbandonForTest();
        string? content = null;
        var reader = new Thread(() => content = File.ReadAllText(Path.Combine(mountpoint, "dir", "nested.txt"))) { IsBackground = true };
        reader.Start();
        await predecessor.Completion.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.True(reader.IsAlive, "the request should hang until a successor resends it");

        Assert.True(FuseInitResult.TryRead(persisted, out FuseInitResult restored));
        Assert.Equal(negotiated, restored);
        using FuseSession successor = FuseSession.Resume(FuseMount.Adopt(inherited, mountpoint), fs, restored, new FuseSessionOptions { ReaderThreads = 2 });
        Assert.True(reader.Join(TimeSpan.FromSeconds(10)), "the resent request was not answered");
        Assert.Equal("nested\n", content);
        Assert.Equal(SampleTree.HelloText, await File.ReadAllTextAsync(Path.Combine(mountpoint, "hello.txt")));

        first.LeaveMountedOnDispose = true;
        first.Dispose(); // closes only the predecessor's descriptor, like its process exiting
        Assert.Equal(SampleTree.HelloText, await File.ReadAllTextAsync(Path.Combine(mountpoint, "link")));
        successor.Dispose();
        Assert.Null(MountTable.Find(mountpoint));
    }

    [Fact]
    public async Task Dispose_with_a_file_still_open_aborts_the_connection_after_the_shutdown_timeout()
    {
        if (!Requirements.RootWithFuse())
        {
            return;
        }

        var options = new FuseSessionOptions { ReaderThreads = 2, ShutdownTimeout = TimeSpan.FromMilliseconds(300) };
        MountedMemoryFileSystem mounted = await MountedMemoryFileSystem.MountAsync(SampleTree.Create(), sessionOptions: options);
        using var open = new FileStream(mounted.PathOf("big.bin"), FileMode.Open, FileAccess.Read, FileShare.Read, 0);
        Assert.Equal(SampleTree.BigContent[0], (byte)open.ReadByte());

        // The lazy unmount cannot end the connection while the file is open; Dispose must not hang on it.
        mounted.Dispose();

        Assert.True(mounted.Session.Completion.IsCompletedSuccessfully);
        Assert.Null(MountTable.Find(mounted.Mountpoint));
        open.Position = SampleTree.BigSize - 10; // beyond the cached pages
        Assert.ThrowsAny<IOException>(() => open.ReadExactly(new byte[10]));
    }

    [Fact]
    public async Task The_fusermount3_route_mounts_serves_and_unmounts()
    {
        if (!Requirements.RootWithFuse())
        {
            return;
        }

        var options = new FuseMountOptions { FileSystemName = "distrid-test", Source = "distrid-fusermount", UseFusermount = true };
        MountedMemoryFileSystem mounted = await MountedMemoryFileSystem.MountAsync(SampleTree.Create(), options);
        try
        {
            Assert.True(mounted.Session.Mount.UsesFusermount);
            MountEntry? entry = MountTable.Find(mounted.Mountpoint);
            Assert.NotNull(entry);
            Assert.Equal("fuse.distrid-test", entry.FileSystemType);
            Assert.Equal("distrid-fusermount", entry.Source);
            Assert.Equal(SampleTree.HelloText, await File.ReadAllTextAsync(mounted.PathOf("hello.txt")));
        }
        finally
        {
            mounted.Dispose();
        }

        Assert.Null(MountTable.Find(mounted.Mountpoint));
        Assert.True(mounted.Session.Completion.IsCompleted);
    }
}
