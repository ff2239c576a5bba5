using Distrid.Fuse.Interop;
using Distrid.Fuse.Protocol;
using Distrid.Fuse.Session;
using Distrid.Tests.Support;

namespace Distrid.Tests.Fuse;

/// <summary>
/// FUSE over io_uring against the real kernel: with fuse.enable_uring=Y the session negotiates it and requests are
/// served through the ring entries; with N (the module's default) or the option off it serves through /dev/fuse.
/// </summary>
public sealed class FuseUringTests
{
    [Fact]
    public async Task With_enable_uring_requests_are_served_through_the_rings_and_every_byte_matches()
    {
        if (!Requirements.RootWith("/dev/fuse", KernelUringSwitch.ParameterPath))
        {
            return;
        }

        MemoryFileSystem fileSystem = TreeWithManySmallFiles(out List<(string Name, byte[] Content)> files);
        using MountedMemoryFileSystem mounted = await MountWithUringAsync(enabled: true, fileSystem, new FuseSessionOptions { ReaderThreads = 2, UseIoUring = true });

        Assert.True(mounted.Session.UsesIoUring);
        Assert.Equal(FuseInitFlags.OverIoUring, mounted.Session.InitResult!.Value.Flags & FuseInitFlags.OverIoUring);
        long ringBefore = mounted.Session.Statistics.RingRequests;
        long readsBefore = mounted.Session.Statistics[FuseOpcode.Read];

        // Several threads at once, so requests arrive on every CPU's queue and on both entries of a queue. The first
        // half warms the code paths up; the second half must not allocate at all.
        await ReadAndCompareAsync(mounted, files[..(files.Count / 2)]);
        long allocated = mounted.Session.UringAllocatedBytes;
        await ReadAndCompareAsync(mounted, files[(files.Count / 2)..]);
        Assert.Equal(allocated, mounted.Session.UringAllocatedBytes);
        byte[] big = await File.ReadAllBytesAsync(mounted.PathOf("big.bin"), TestContext.Current.CancellationToken);
        Assert.True(big.AsSpan().SequenceEqual(SampleTree.BigContent));
        Assert.Equal(SampleTree.HelloText, await File.ReadAllTextAsync(mounted.PathOf("hello.txt"), TestContext.Current.CancellationToken));

        long ringServed = mounted.Session.Statistics.RingRequests - ringBefore;
        long reads = mounted.Session.Statistics[FuseOpcode.Read] - readsBefore;
        Assert.True(reads >= files.Count, $"{reads} READs for {files.Count} files");

        // Every READ and LOOKUP after the rings came up went through them: only FORGETs and the like may use /dev/fuse.
        Assert.True(ringServed >= reads, $"{ringServed} requests through the rings, {reads} READs");
        Assert.Equal(0, mounted.Session.Statistics.HandlerFailures);
        Assert.Equal(0, mounted.Session.Statistics.ReplyFailures);
        Assert.Equal(0, mounted.Session.Statistics.MalformedRequests);
    }

    [Fact]
    public async Task With_enable_uring_off_the_session_serves_through_dev_fuse_reads()
    {
        if (!Requirements.RootWith("/dev/fuse", KernelUringSwitch.ParameterPath))
        {
            return;
        }

        MemoryFileSystem fileSystem = TreeWithManySmallFiles(out List<(string Name, byte[] Content)> files);
        using MountedMemoryFileSystem mounted = await MountWithUringAsync(enabled: false, fileSystem, new FuseSessionOptions { UseIoUring = true });

        await AssertServedThroughDevFuse(mounted, files);
    }

    [Fact]
    public async Task With_the_option_off_the_session_does_not_ask_for_io_uring_even_when_offered()
    {
        if (!Requirements.RootWith("/dev/fuse", KernelUringSwitch.ParameterPath))
        {
            return;
        }

        MemoryFileSystem fileSystem = TreeWithManySmallFiles(out List<(string Name, byte[] Content)> files);
        using MountedMemoryFileSystem mounted = await MountWithUringAsync(enabled: true, fileSystem, new FuseSessionOptions { UseIoUring = false });

        Assert.Equal(FuseInitFlags.OverIoUring, mounted.Session.InitResult!.Value.KernelFlags & FuseInitFlags.OverIoUring);
        await AssertServedThroughDevFuse(mounted, files);
    }

    [Fact]
    public async Task When_no_ring_can_be_created_INIT_goes_out_without_io_uring_and_dev_fuse_serves()
    {
        const string disabledPath = "/proc/sys/kernel/io_uring_disabled";
        if (!Requirements.RootWith("/dev/fuse", KernelUringSwitch.ParameterPath, disabledPath))
        {
            return;
        }

        MemoryFileSystem fileSystem = TreeWithManySmallFiles(out List<(string Name, byte[] Content)> files);
        var log = new List<string>();
        MountedMemoryFileSystem mounted;
        using (KernelUringSwitch parameter = await KernelUringSwitch.SetAsync(enabled: true))
        {
            // io_uring_disabled=2 makes io_uring_setup fail with EPERM for everyone, only while this mount answers INIT.
            string before = (await File.ReadAllTextAsync(disabledPath, TestContext.Current.CancellationToken)).Trim();
            await File.WriteAllTextAsync(disabledPath, "2", TestContext.Current.CancellationToken);
            try
            {
                mounted = await MountedMemoryFileSystem.MountAsync(fileSystem, sessionOptions: new FuseSessionOptions { UseIoUring = true, Log = line => { lock (log) { log.Add(line); } } });
            }
            finally
            {
                await File.WriteAllTextAsync(disabledPath, before, TestContext.Current.CancellationToken);
            }
        }

        using (mounted)
        {
            Assert.Equal(FuseInitFlags.OverIoUring, mounted.Session.InitResult!.Value.KernelFlags & FuseInitFlags.OverIoUring);
            Assert.Contains(log, line => line.Contains("a ring could not be created", StringComparison.Ordinal));
            await AssertServedThroughDevFuse(mounted, files);
        }
    }

    [Theory]
    [InlineData("0-1", 2)]
    [InlineData("0", 1)]
    [InlineData("0,2-3", 3)]
    [InlineData("0-63", 64)]
    public void Possible_cpu_lists_are_counted(string list, int count) => Assert.Equal(count, PossibleCpus.Parse(list));

    [Theory]
    [InlineData("")]
    [InlineData("1-0")]
    [InlineData("a-b")]
    [InlineData("0-1-2")]
    public void Malformed_cpu_lists_give_no_count(string list) => Assert.Null(PossibleCpus.Parse(list));

    private static Task ReadAndCompareAsync(MountedMemoryFileSystem mounted, List<(string Name, byte[] Content)> files) =>
        Parallel.ForEachAsync(files, new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (file, token) =>
        {
            byte[] read = await File.ReadAllBytesAsync(mounted.PathOf(file.Name), token);
            Assert.True(read.AsSpan().SequenceEqual(file.Content), $"{file.Name} differs");
        });

    private static async Task AssertServedThroughDevFuse(MountedMemoryFileSystem mounted, List<(string Name, byte[] Content)> files)
    {
        Assert.False(mounted.Session.UsesIoUring);
        Assert.Equal(FuseInitFlags.None, mounted.Session.InitResult!.Value.Flags & FuseInitFlags.OverIoUring);
        foreach ((string name, byte[] content) in files)
        {
            Assert.True((await File.ReadAllBytesAsync(mounted.PathOf(name), TestContext.Current.CancellationToken)).AsSpan().SequenceEqual(content));
        }

        Assert.True(mounted.Session.Statistics[FuseOpcode.Read] >= files.Count);
        Assert.Equal(0, mounted.Session.Statistics.RingRequests);
    }

    /// <summary>
    /// Mounts with enable_uring set as asked, and puts the parameter back right after INIT: the connection keeps what
    /// it negotiated, and other sessions' mounts on this machine see the parameter changed only for that moment.
    /// </summary>
    private static async Task<MountedMemoryFileSystem> MountWithUringAsync(bool enabled, MemoryFileSystem fileSystem, FuseSessionOptions? options = null)
    {
        using KernelUringSwitch parameter = await KernelUringSwitch.SetAsync(enabled);
        return await MountedMemoryFileSystem.MountAsync(fileSystem, sessionOptions: options);
    }

    private static MemoryFileSystem TreeWithManySmallFiles(out List<(string Name, byte[] Content)> files)
    {
        MemoryFileSystem fileSystem = SampleTree.Create();
        MemoryNode directory = fileSystem.AddDirectory(fileSystem.Root, "small");
        var random = new Random(14);
        files = [];
        for (int i = 0; i < 200; i++)
        {
            var content = new byte[random.Next(1, 40_000)];
            random.NextBytes(content);
            string name = $"f{i:D3}";
            fileSystem.AddFile(directory, name, content);
            files.Add(($"small/{name}", content));
        }

        return fileSystem;
    }
}
