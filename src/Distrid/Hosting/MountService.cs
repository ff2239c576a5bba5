using Distrid.FileSystem;
using Distrid.Fuse;
using Distrid.Fuse.Mounting;
using Distrid.Fuse.Session;
using Distrid.Generations;
using Distrid.Handover;
using Distrid.Store;
using Distrid.Systemd;
using Distrid.Transactions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Distrid.Hosting;

/// <summary>
/// Owns the /ro mount for the daemon's life: either resumes the connection a predecessor left in systemd's fd
/// store (MountService.Handover.cs), or removes a stale mount, publishes the first namespace and mounts. Serves
/// until stop, then unmounts. <see cref="Publish"/> shows each newly committed generation. If the session ends on
/// its own (someone unmounted /ro, the connection was aborted) the daemon fails so systemd restarts it. How a stop
/// ends (hand over or unmount) is decided in MountService.Stop.cs.
/// </summary>
internal sealed partial class MountService(
    DaemonOptions options,
    PackageStore store,
    GenerationStore generations,
    RoFileSystem fileSystem,
    RoNamespaceBuilder namespaces,
    NodeIdJournal journal,
    SystemdNotifier notifier,
    ListenFds listenFds,
    UnitJobProbe unitJobs,
    DaemonFailure failure,
    FirstNamespace firstNamespace,
    ILogger<MountService> logger)
    : IHostedService, IGenerationPublisher, IMountStatus, IDisposable
{
    private static readonly TimeSpan InitTimeout = TimeSpan.FromSeconds(30);
    private readonly Lock _refreshLock = new();
    private FuseSession? _session;
    private HandoverState? _handover;
    private volatile bool _stopping;
    private string _status = "starting";

    public string Mountpoint => options.Mountpoint;

    public bool IsMounted => _session is { } s && !s.Completion.IsCompleted;

    public FuseRequestCounters? Statistics => _session?.Statistics;

    /// <summary>One line for systemd's STATUS=: what /ro serves right now.</summary>
    public string Status => Volatile.Read(ref _status);

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        notifier.Notify($"STATUS=mounting {options.Mountpoint}");
        ResourceLimits.RaiseOpenFileLimit();
        var generation = generations.Current ?? throw new DaemonStartException("no current generation");
        if (!TryResumeInherited(generation))
        {
            await MountAsync(generation, cancellationToken);
        }

        WatchSession(_session!);
    }

    private async Task MountAsync(Generation generation, CancellationToken cancellationToken)
    {
        // First the dead mount a killed daemon left (ENOTCONN), which even mkdir -p trips over.
        if (FuseMount.CleanStaleMount(options.Mountpoint))
        {
            logger.LogWarning("removed a stale mount at {Mountpoint} left by a daemon that died", options.Mountpoint);
        }

        Directory.CreateDirectory(options.Mountpoint);

        // Under systemd the connection goes to the fd store, so node ids are journaled from the first publish on.
        // Not when io_uring is asked for explicitly: a successor cannot take over ring entries (FuseSessionOptions.UseIoUring).
        // Nor with passthrough: the kernel's per-inode passthrough state and backing ids would outlive us unknown.
        _handover = notifier.IsEnabled && !options.FuseIoUring && !options.FusePassthrough ? HandoverState.Create() : null;
        long allocatedBefore = firstNamespace.Generation is null ? GC.GetTotalAllocatedBytes() : firstNamespace.AllocatedBefore;
        PublishBuilt(generation, firstNamespace.Take(generation));
        ReturnStartupGarbage(allocatedBefore);

        FuseMount mount;
        try
        {
            mount = FuseMount.Mount(options.Mountpoint, new FuseMountOptions { Source = "distrid", FileSystemName = "distrid" });
        }
        catch (FuseException e)
        {
            throw new DaemonStartException($"cannot mount {options.Mountpoint}: {e.Message}", e);
        }

        StartPassthroughCache();
        _session = FuseSession.Start(mount, fileSystem, SessionOptions());
        fileSystem.Attach(_session);
        AttachPassthrough(_session);
        var init = await _session.Initialized.WaitAsync(InitTimeout, cancellationToken);
        ReportPassthrough(_session);
        logger.LogInformation("mounted {Mountpoint} (FUSE 7.{Minor}, requests through {Transport}, {Packages} packages)",
            options.Mountpoint, init.Minor, _session.UsesIoUring ? "io_uring" : "/dev/fuse reads", fileSystem.Current.PackageCount);
        StoreConnection(mount, init);
    }

    private FuseSessionOptions SessionOptions() => new()
    {
        ReaderThreads = options.FuseThreads,
        CloneReaderDescriptors = _handover is null,
        UseIoUring = options.FuseIoUring && _handover is null,
        UsePassthrough = _passthroughOpens is not null && _handover is null,
        Log = message => logger.LogWarning("{Message}", message),
    };

    /// <summary>Publishes what /ro shows for <paramref name="generation"/>: every store image, and the exchange
    /// directories of the generation's packages.</summary>
    public void Publish(Generation generation) => PublishBuilt(generation, null);

    private void PublishBuilt(Generation generation, RoNamespace? built)
    {
        lock (_refreshLock)
        {
            // A namespace staged while the commit's fsyncs ran is taken when the scan shows the same store images.
            var next = built ?? FirstNamespace.Build(generation, store, namespaces, logger, scanned => TakeStaged(generation, scanned));
            // Journal the new node ids before the kernel can learn them from the published namespace.
            JournalNodeIds();
            fileSystem.Publish(next);
            Volatile.Write(ref _status, $"serving {next.PackageCount} packages, generation {generation.Number}");
            if (_session is not null)
            {
                notifier.Notify("STATUS=" + Status);
            }
        }
    }

    /// <summary>
    /// The first publish of a big store allocates tens of MB that are garbage a moment later (the scan, the manifest
    /// cache file, the merge's trie). The GC would keep that high-water mark committed for the daemon's whole life, so
    /// once, before mounting, collect and give it back (about 25 MB of RSS with 10,000 images, for a few ms).
    /// </summary>
    private static void ReturnStartupGarbage(long allocatedBefore)
    {
        if (GC.GetTotalAllocatedBytes() - allocatedBefore > StartupGarbageThreshold)
        {
            GC.Collect(2, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        }
    }

    /// <summary>Below this the heap's growth is not worth a full collection (a store of a few hundred images).</summary>
    private const long StartupGarbageThreshold = 16L << 20;

    /// <summary>The session ending by itself means /ro is gone: fail, so systemd restarts the daemon.</summary>
    private void WatchSession(FuseSession session) => session.Completion.ContinueWith(
        _ =>
        {
            if (!_stopping)
            {
                ForgetStoredConnection();
                failure.Fail($"the FUSE session of {options.Mountpoint} ended (unmounted or aborted)");
            }
        },
        CancellationToken.None,
        TaskContinuationOptions.ExecuteSynchronously,
        TaskScheduler.Default);

    public void Dispose()
    {
        _session?.Dispose();
        _passthroughWriter?.Dispose();
        _passthroughOpens?.Dispose();
        _handover?.Dispose();
    }
}
