using Distri.Core.SquashFs.Reading;
using Distrid.Api;
using Distrid.Api.Admin;
using Distrid.Api.Authorization;
using Distrid.Api.DBus;
using Distrid.Api.JsonRpc;
using Distrid.Api.PackageKit;
using Distrid.Api.Repositories;
using Distrid.AppStream;
using Distrid.FileSystem;
using Distrid.FileSystem.Images;
using Distrid.FileSystem.Manifests;
using Distrid.Generations;
using Distrid.Repository;
using Distrid.Store;
using Distrid.Systemd;
using Distrid.Transactions;
using Distrid.Transactions.Scheduled;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Distrid.Hosting;

/// <summary>The composition root: wires the store, the /ro file system and the API front ends into one host.</summary>
internal static class DaemonHost
{
    public static async Task<int> RunAsync(DaemonOptions options)
    {
        var read = ReadCurrentGeneration(options);
        if (read.Problem is { } problem)
        {
            // Before the host exists, so the operator gets this one line and the state directory is left untouched.
            await Console.Error.WriteLineAsync($"distrid: cannot start: {problem}");
            return 1;
        }

        // The first namespace is built on another core while the host is built and starts (FirstNamespace).
        var early = new EarlyServices(options, read.Generation);

        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Logging.AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.TimestampFormat = "HH:mm:ss.fff ";
        });
        builder.Logging.AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
        builder.Logging.AddFilter("Microsoft.Hosting.Lifetime", LogLevel.Warning);
        builder.Services.AddSystemd();
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(60));
        AddServices(builder.Services, options, early);

        using var host = Build(builder, early.Loggers);
        try
        {
            // Resolved up front: RunAsync disposes the service provider when the host stops.
            var failure = host.Services.GetRequiredService<DaemonFailure>();
            var services = host.Services.GetServices<IHostedService>().ToList();
            await host.RunAsync();
            return failure.ExitCode(services);
        }
        catch (Exception e) when (e is DaemonStartException or UnreadableGenerationException or IOException or UnauthorizedAccessException)
        {
            // The host has already logged the failure with its stack; this is the one line for the operator.
            await Console.Error.WriteLineAsync($"distrid: cannot start: {e.Message}");
            return 1;
        }
    }

    /// <summary>Builds the host; from then on the early services log through it.</summary>
    private static IHost Build(HostApplicationBuilder builder, DeferredLoggerFactory earlyLoggers)
    {
        IHost host;
        try
        {
            host = builder.Build();
        }
        catch
        {
            earlyLoggers.Abandon();
            throw;
        }

        earlyLoggers.Attach(host.Services.GetRequiredService<ILoggerFactory>());
        return host;
    }

    /// <summary>The current generation (null when absent: a first start), or why it cannot be read.</summary>
    private static (Generation? Generation, string? Problem) ReadCurrentGeneration(DaemonOptions options)
    {
        var current = new FileInfo(Path.Combine(options.State, "current"));
        if (!current.Exists && current.LinkTarget is null)
        {
            return (null, null);
        }

        var store = new GenerationStore(options.State, NullLogger<GenerationStore>.Instance);
        var read = store.ReadCurrent();
        return read.State == GenerationReadState.Unreadable ? (null, store.DescribeUnreadableCurrent(read)) : (read.Generation, null);
    }

    /// <summary>
    /// What exists before the host: the store and the /ro namespace's tables, so the first namespace can be built
    /// while the host is built (their loggers forward to the host's once it exists).
    /// </summary>
    private sealed class EarlyServices
    {
        public EarlyServices(DaemonOptions options, Generation? current)
        {
            ListenFds = ListenFds.FromEnvironment();
            Store = new PackageStore(options.Store, Loggers.CreateLogger<PackageStore>());
            Images = new ImageTable(options.MaxOpenImages, new SquashFsReadOptions { DataCacheBytes = options.BlockCacheBytesPerImage });
            ExchangeNodes = new ExchangeNodeTable();
            Manifests = new ManifestCache(Path.Combine(options.State, "manifests"));
            Namespaces = new RoNamespaceBuilder(Images, ExchangeNodes, Manifests, Loggers.CreateLogger<RoNamespaceBuilder>());
            First = FirstNamespace.Start(current, ListenFds, Store, Namespaces, Loggers.CreateLogger<MountService>());
        }

        public DeferredLoggerFactory Loggers { get; } = new();

        /// <summary>Read (and unset) once, before anything could start a child that inherits them.</summary>
        public ListenFds ListenFds { get; }

        public PackageStore Store { get; }

        public ImageTable Images { get; }

        public ExchangeNodeTable ExchangeNodes { get; }

        public ManifestCache Manifests { get; }

        public RoNamespaceBuilder Namespaces { get; }

        public FirstNamespace First { get; }
    }

    /// <summary>
    /// The configured repositories, enabled and disabled, each with its own client. None configured: the daemon works
    /// with the store alone until <c>districtl repo add</c>.
    /// </summary>
    private static RepositorySet CreateRepositories(DaemonOptions options, ILogger<RepositorySet> logger, SoftwareCatalogSync? catalogs)
    {
        var set = new RepositorySet(new RepositoryClientOptions
        {
            Mirrors = [],
            TrustedKeysDirectory = options.TrustedKeys,
            CacheDirectory = Path.Combine(options.State, "repositories"),
            DownloadParallelism = options.DownloadParallelism,
            MinimumTransferRate = options.MinimumTransferRate,
            TransferRateWindow = options.TransferRateWindow,
        }, logger);
        if (catalogs is not null)
        {
            // Each repository's AppStream catalog follows its verified index; one that goes or is disabled takes it along.
            set.ClientCreated = (url, client) => client.IndexVerified = catalogs.ObserverFor(client, CatalogOrigin.For(url));
            set.Replaced = repositories => catalogs.RemoveAllExcept([.. repositories.Where(r => r.Enabled).Select(r => CatalogOrigin.For(r.Url))]);
        }

        set.Replace(options.Repos.Select(r => (Url: r, Enabled: true)).Concat(options.DisabledRepos.Select(r => (Url: r, Enabled: false)))
            .Select(r => set.Create(new Uri(r.Url.EndsWith('/') ? r.Url : r.Url + "/"), r.Enabled)));
        return set;
    }

    /// <summary>Catalog installation, unless <c>--swcatalog none</c>.</summary>
    private static void AddSoftwareCatalog(IServiceCollection services, DaemonOptions options)
    {
        if (options.SoftwareCatalog == "none")
        {
            return;
        }

        services.AddSingleton(sp => new SoftwareCatalogSync(
            new SoftwareCatalogDirectory(options.SoftwareCatalog), Path.Combine(options.State, "appstream"), sp.GetRequiredService<ILogger<SoftwareCatalogSync>>()));
    }

    private static void AddServices(IServiceCollection services, DaemonOptions options, EarlyServices early)
    {
        services.AddSingleton(options);
        services.AddSingleton(early.ListenFds);
        services.AddSingleton<DaemonFailure>();
        services.AddSingleton(early.Store);
        services.AddSingleton(early.Images);
        services.AddSingleton(early.ExchangeNodes);
        services.AddSingleton<NodeIdJournal>();
        services.AddSingleton(early.Manifests);
        services.AddSingleton(early.Namespaces);
        services.AddSingleton(early.First);
        services.AddSingleton<RoFileSystem>();
        services.AddSingleton<MountService>();
        services.AddSingleton<IGenerationPublisher>(sp => sp.GetRequiredService<MountService>());
        services.AddSingleton<IMountStatus>(sp => sp.GetRequiredService<MountService>());
        services.AddSingleton(sp => new GenerationStore(options.State, sp.GetRequiredService<ILogger<GenerationStore>>()));
        services.AddSingleton(sp => CreateRepositories(options, sp.GetRequiredService<ILogger<RepositorySet>>(), sp.GetService<SoftwareCatalogSync>()));
        services.AddSingleton(new RepositorySettings(options.ConfigPath, options.TrustedKeys, options.ReposFromCommandLine));
        AddSoftwareCatalog(services, options);
        services.AddSingleton(sp => new TransactionService(
            sp.GetRequiredService<PackageStore>(), sp.GetRequiredService<GenerationStore>(), sp.GetRequiredService<IGenerationPublisher>(),
            sp.GetRequiredService<ILogger<TransactionService>>(), sp.GetRequiredService<RepositorySet>()));
        services.AddSingleton(sp => new ScheduledUpdates(
            sp.GetRequiredService<TransactionService>(), options.ScheduledUpdate, TimeProvider.System, sp.GetRequiredService<ILogger<ScheduledUpdates>>()));
        services.AddSingleton<AdminQueries>();
        services.AddSingleton<Api.Views.RunViews>();
        services.AddSingleton<RepositoryAdmin>();
        services.AddSingleton<DistridQueries>();
        services.AddSingleton<IAuthorizer>(sp => new PolkitAuthorizer(sp.GetRequiredService<ILogger<PolkitAuthorizer>>()));
        services.AddSingleton<MutationRunner>();
        services.AddSingleton<SystemdNotifier>();
        // Asked at SIGTERM whether a restart follows (MountService.Stop.cs); systemd answers on the system bus.
        services.AddSingleton(_ => new UnitJobProbe(BusAddresses.System));
        // Start order matters: recover the state directory, then mount the current generation, then serve the API.
        services.AddHostedService<StateRecoveryService>();
        services.AddHostedService(sp => sp.GetRequiredService<MountService>());
        services.AddHostedService<JsonRpcServer>();
        services.AddHostedService<WatchdogService>();
        services.AddHostedService<DBusServer>();
        services.AddHostedService<PackageKitServer>();

        // Last: READY=1 only once everything above serves.
        services.AddHostedService<ReadinessService>();

        // After READY=1: catalogs of repositories no longer configured go; the index refresh installs the current ones.
        if (options.SoftwareCatalog != "none")
        {
            string[] origins = [.. options.Repos.Select(r => CatalogOrigin.For(new Uri(r)))];
            services.AddHostedService(sp => new SoftwareCatalogCleanup(sp.GetRequiredService<SoftwareCatalogSync>(), origins));
        }

        // After READY=1: refreshing the repositories' indexes must never delay /ro or the socket.
        services.AddHostedService<IndexRefreshService>();
    }
}
