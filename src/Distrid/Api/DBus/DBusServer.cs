using Distrid.Api.Repositories;
using Distrid.Hosting;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Tmds.DBus.Protocol;

namespace Distrid.Api.DBus;

/// <summary>
/// The D-Bus front end: connects to the bus chosen by <c>--dbus</c>, exports the manager object and owns the name
/// org.distrid.Distrid1. When the system or session bus cannot be used at start the daemon goes on without D-Bus
/// (a warning: /ro and the socket matter more); an explicit address that fails fails the start.
/// </summary>
internal sealed class DBusServer(DaemonOptions options, DistridQueries queries, MutationRunner runner, RepositoryAdmin repositories, ILoggerFactory loggers) : IHostedService, IDisposable
{
    private readonly ILogger _logger = loggers.CreateLogger<DBusServer>();
    private DBusConnection? _connection;
    private TransactionRegistry? _transactions;
    private IDisposable? _nameWatch;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        string? address = BusAddresses.Resolve(options.DBus);
        if (address is null)
        {
            _logger.LogInformation("D-Bus front end disabled (--dbus {Option})", options.DBus);
            return;
        }

        try
        {
            await ConnectAsync(address);
            _logger.LogInformation("serving {Name} on {Address}", DBusNames.BusName, address);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            await StopAsync(CancellationToken.None);
            if (!BusAddresses.IsOptional(options.DBus))
            {
                throw new DaemonStartException($"D-Bus at {address}: {e.Message}");
            }

            _logger.LogWarning("D-Bus front end not available ({Address}: {Error}); serving the socket only", address, e.Message);
        }
    }

    private async Task ConnectAsync(string address)
    {
        var connection = new DBusConnection(address);
        _connection = connection;
        await connection.ConnectAsync();
        var callers = new BusCallers(connection, BusAddresses.IsSystemBus(options.DBus, address));
        var transactions = new TransactionRegistry(connection, callers, runner, loggers.CreateLogger<TransactionRegistry>());
        _transactions = transactions;
        _nameWatch = await connection.AddMatchAsync(
            new MatchRule { Type = MessageType.Signal, Sender = "org.freedesktop.DBus", Interface = "org.freedesktop.DBus", Member = "NameOwnerChanged" },
            static (message, _) => ReadNameOwnerChanged(message),
            notification =>
            {
                if (notification.HasValue && notification.Value.NewOwner.Length == 0 && notification.Value.Name.StartsWith(':'))
                {
                    transactions.OnNameLost(notification.Value.Name);
                    queries.Views.OnBusNameLost(notification.Value.Name);
                }
            },
            emitOnCapturedContext: false);
        connection.AddMethodHandler(new ManagerObject(queries, transactions, repositories, loggers.CreateLogger<ManagerObject>()));
        // No replacement either way: a second daemon must not steal the name from a running one.
        if (!await connection.TryRequestNameAsync(DBusNames.BusName, RequestNameOptions.None))
        {
            throw new InvalidOperationException($"{DBusNames.BusName} is owned by another process");
        }
    }

    private static (string Name, string NewOwner) ReadNameOwnerChanged(Message message)
    {
        var reader = message.GetBodyReader();
        string name = reader.ReadString();
        reader.ReadString();
        return (name, reader.ReadString());
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_transactions is not null)
        {
            await _transactions.StopAsync();
        }

        _nameWatch?.Dispose();
        _connection?.Dispose();
        _connection = null;
    }

    public void Dispose() => _connection?.Dispose();
}
