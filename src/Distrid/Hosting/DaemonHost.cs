using Distri.Core.SquashFs.Reading;
using Distrid.Api;
using Distrid.Api.JsonRpc;
using Distrid.FileSystem;
using Distrid.FileSystem.Images;
using Distrid.FileSystem.Manifests;
using Distrid.Store;
using Distrid.Systemd;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Distrid.Hosting;

/// <summary>The composition root: wires the store, the /ro file system and the API front ends into one host.</summary>
internal static class DaemonHost
{
    public static async Task<int> RunAsync(DaemonOptions options)
    {
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
        AddServices(builder.Services, options);

        using var host = builder.Build();
        try
        {
            await host.RunAsync();
            return 0;
        }
        catch (Exception e) when (e is DaemonStartException or IOException or UnauthorizedAccessException)
        {
            // The host has already logged the failure with its stack; this is the one line for the operator.
            await Console.Error.WriteLineAsync($"distrid: cannot start: {e.Message}");
            return 1;
        }
    }

    public static void AddServices(IServiceCollection services, DaemonOptions options)
    {
        services.AddSingleton(options);
        services.AddSingleton<PackageStore>();
        services.AddSingleton(new ImageTable(options.MaxOpenImages, new SquashFsReadOptions { DataCacheBytes = options.BlockCacheBytesPerImage }));
        services.AddSingleton<ExchangeNodeTable>();
        services.AddSingleton(new ManifestCache(Path.Combine(options.State, "manifests")));
        services.AddSingleton<RoNamespaceBuilder>();
        services.AddSingleton<RoFileSystem>();
        services.AddSingleton<MountService>();
        services.AddSingleton<DistridApi>();
        services.AddSingleton<SystemdNotifier>();
        services.AddHostedService(sp => sp.GetRequiredService<MountService>());
        services.AddHostedService<JsonRpcServer>();

        // Last: READY=1 only once everything above serves.
        services.AddHostedService<ReadinessService>();
    }
}
