using Distrid.FileSystem;
using Distrid.Fuse;
using Distrid.Fuse.Mounting;
using Distrid.Fuse.Session;
using Distrid.Generations;
using Distrid.Store;
using Distrid.Transactions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Distrid.Hosting;

/// <summary>
/// Owns the /ro mount for the daemon's life: removes a stale mount left by a dead daemon, publishes the first
/// namespace, mounts, serves until stop, and unmounts. <see cref="Publish"/> shows each newly committed
/// generation.
/// </summary>
internal sealed class MountService(
    DaemonOptions options, PackageStore store, GenerationStore generations, RoFileSystem fileSystem, RoNamespaceBuilder namespaces, ILogger<MountService> logger)
    : IHostedService, IGenerationPublisher, IDisposable
{
    private static readonly TimeSpan InitTimeout = TimeSpan.FromSeconds(30);
    private readonly Lock _refreshLock = new();
    private FuseSession? _session;

    public bool IsMounted => _session is { } s && !s.Completion.IsCompleted;

    public FuseStatistics? Statistics => _session?.Statistics;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        // First the dead mount a killed daemon left (ENOTCONN), which even mkdir -p trips over.
        if (FuseMount.CleanStaleMount(options.Mountpoint))
        {
            logger.LogWarning("removed a stale mount at {Mountpoint} left by a daemon that died", options.Mountpoint);
        }

        Directory.CreateDirectory(options.Mountpoint);

        ResourceLimits.RaiseOpenFileLimit();
        Publish(generations.Current ?? throw new DaemonStartException("no current generation"));

        FuseMount mount;
        try
        {
            mount = FuseMount.Mount(options.Mountpoint, new FuseMountOptions { Source = "distrid", FileSystemName = "distrid" });
        }
        catch (FuseException e)
        {
            throw new DaemonStartException($"cannot mount {options.Mountpoint}: {e.Message}", e);
        }

        _session = FuseSession.Start(mount, fileSystem, new FuseSessionOptions
        {
            ReaderThreads = options.FuseThreads,
            Log = message => logger.LogWarning("{Message}", message),
        });
        fileSystem.Attach(_session);
        var init = await _session.Initialized.WaitAsync(InitTimeout, cancellationToken);
        logger.LogInformation("mounted {Mountpoint} (FUSE 7.{Minor}, {Packages} packages)", options.Mountpoint, init.Minor, fileSystem.Current.PackageCount);
    }

    /// <summary>Publishes what /ro shows for <paramref name="generation"/>: every store image, and the exchange
    /// directories of the generation's packages.</summary>
    public void Publish(Generation generation)
    {
        lock (_refreshLock)
        {
            var current = generation.Packages.ToHashSet(StringComparer.Ordinal);
            fileSystem.Publish(namespaces.Build(store.Scan(), current, generation.Pins));
        }
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        _session?.Dispose();
        logger.LogInformation("unmounted {Mountpoint}", options.Mountpoint);
        return Task.CompletedTask;
    }

    public void Dispose() => _session?.Dispose();
}
