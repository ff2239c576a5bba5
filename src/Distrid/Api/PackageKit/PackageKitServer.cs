using Distrid.Api.Authorization;
using Distrid.Api.DBus;
using Distrid.Api.Repositories;
using Distrid.FileSystem.Manifests;
using Distrid.Hosting;
using Distrid.Store;
using Distrid.Transactions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Tmds.DBus.Protocol;

namespace Distrid.Api.PackageKit;

/// <summary>
/// The PackageKit-compatible front end (<c>distrid --packagekit</c>): its own connection to the bus that
/// <c>--dbus</c> names, owning org.freedesktop.PackageKit without allowing replacement, so that Debian's packagekitd
/// cannot take the name from us (it quits when refused). Every change goes through <see cref="MutationRunner"/>.
/// </summary>
internal sealed class PackageKitServer(
    DaemonOptions options, DistridQueries queries, MutationRunner runner, TransactionService transactions, RepositoryAdmin repositories, IAuthorizer authorizer,
    PackageStore store, ManifestCache manifests, ILoggerFactory loggers) : IHostedService, IDisposable
{
    private readonly ILogger _logger = loggers.CreateLogger<PackageKitServer>();
    private DBusConnection? _connection;
    private PackageKitDaemon? _daemon;
    private IDisposable? _nameWatch;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (!options.PackageKit)
        {
            return;
        }

        string? address = BusAddresses.Resolve(options.DBus);
        if (address is null)
        {
            _logger.LogWarning("PackageKit service disabled: no bus (--dbus {Option})", options.DBus);
            return;
        }

        try
        {
            await ConnectAsync(address);
            _logger.LogInformation("serving {Name} on {Address}", PackageKitNames.BusName, address);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            await StopAsync(CancellationToken.None);
            if (!BusAddresses.IsOptional(options.DBus))
            {
                throw new DaemonStartException($"PackageKit service on {address}: {e.Message}");
            }

            _logger.LogWarning("PackageKit service not available ({Address}: {Error})", address, e.Message);
        }
    }

    private async Task ConnectAsync(string address)
    {
        var connection = new DBusConnection(address);
        _connection = connection;
        await connection.ConnectAsync();
        var context = new PackageKitContext(connection, new BusCallers(connection, BusAddresses.IsSystemBus(options.DBus, address)),
            queries, runner, transactions, repositories, authorizer, options, store, manifests, loggers.CreateLogger("Distrid.Api.PackageKit"));
        var daemon = new PackageKitDaemon(context);
        _daemon = daemon;
        _nameWatch = await connection.AddMatchAsync(
            new MatchRule { Type = MessageType.Signal, Sender = "org.freedesktop.DBus", Interface = "org.freedesktop.DBus", Member = "NameOwnerChanged" },
            static (message, _) =>
            {
                var reader = message.GetBodyReader();
                string name = reader.ReadString();
                reader.ReadString();
                return (Name: name, NewOwner: reader.ReadString());
            },
            notification =>
            {
                if (notification.HasValue && notification.Value.NewOwner.Length == 0 && notification.Value.Name.StartsWith(':'))
                {
                    daemon.OnNameLost(notification.Value.Name);
                }
            },
            emitOnCapturedContext: false);
        connection.AddMethodHandler(daemon);
        // No AllowReplacement: packagekitd asks with ReplaceExisting and must be refused.
        if (!await connection.TryRequestNameAsync(PackageKitNames.BusName, RequestNameOptions.None))
        {
            throw new InvalidOperationException($"{PackageKitNames.BusName} is owned by another process (is packagekitd running?)");
        }
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_daemon is not null)
        {
            await _daemon.StopAsync();
        }

        _nameWatch?.Dispose();
        _connection?.Dispose();
        _connection = null;
    }

    public void Dispose() => _connection?.Dispose();
}
