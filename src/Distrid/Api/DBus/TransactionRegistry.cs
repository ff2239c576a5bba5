using Distrid.Api.Authorization;
using Microsoft.Extensions.Logging;
using Tmds.DBus.Protocol;

namespace Distrid.Api.DBus;

/// <summary>
/// Numbers, exports and retires the transaction objects of one bus connection. A finished transaction stays
/// readable for <see cref="FinishedLifetime"/> (late clients can still Get its properties), one never started goes
/// after <see cref="UnstartedLifetime"/> or as soon as its creator leaves the bus.
/// </summary>
internal sealed class TransactionRegistry(DBusConnection connection, BusCallers callers, MutationRunner runner, ILogger<TransactionRegistry> logger)
{
    public static readonly TimeSpan FinishedLifetime = TimeSpan.FromSeconds(10);
    public static readonly TimeSpan UnstartedLifetime = TimeSpan.FromMinutes(5);

    private readonly Lock _gate = new();
    private readonly Dictionary<string, TransactionObject> _objects = new(StringComparer.Ordinal);
    private readonly List<Task> _running = [];
    private readonly CancellationTokenSource _stopping = new();
    private uint _next;

    public DBusConnection Connection => connection;

    public BusCallers Callers => callers;

    public MutationRunner Runner => runner;

    public Task<CallerIdentity> ResolveCallerAsync(string sender) => callers.ResolveAsync(sender, allowInteraction: false);

    public TransactionObject Create(MutationRequest request, string sender, CallerIdentity creator)
    {
        TransactionObject transaction;
        lock (_gate)
        {
            transaction = new TransactionObject(++_next, request, sender, creator, this, logger);
            _objects.Add(transaction.Path, transaction);
        }

        connection.AddMethodHandler(transaction);
        logger.LogInformation("{Path}: {Role} created by {Caller}", transaction.Path, request.Role, creator);
        Retire(transaction, UnstartedLifetime, onlyIfWaiting: true);
        return transaction;
    }

    /// <summary>
    /// A unique name left the bus: its unstarted transactions go, and its running ones are cancelled (nothing
    /// changes) unless they were started detached. Its creator is a transaction's only caller: nobody else may Start
    /// it, and a cancelled transaction no one watches costs nothing, while a forgotten one holds the daemon.
    /// </summary>
    public void OnNameLost(string name)
    {
        List<TransactionObject> owned;
        lock (_gate)
        {
            owned = [.. _objects.Values.Where(t => t.Sender == name)];
        }

        foreach (var transaction in owned)
        {
            if (transaction.TryAbandon())
            {
                logger.LogInformation("{Path}: dropped, its creator {Sender} left before Start", transaction.Path, name);
                Unexport(transaction);
            }
            else if (transaction.CancelForLostCaller())
            {
                logger.LogInformation("{Path}: cancelling, its creator {Sender} left the bus", transaction.Path, name);
            }
        }
    }

    public void Track(Task run)
    {
        lock (_gate)
        {
            _running.RemoveAll(t => t.IsCompleted);
            _running.Add(run);
        }
    }

    /// <summary>Unexports <paramref name="transaction"/> after <paramref name="delay"/> (only if still waiting, when asked).</summary>
    public void Retire(TransactionObject transaction, TimeSpan delay, bool onlyIfWaiting = false)
    {
        _ = RetireAsync(transaction, delay, onlyIfWaiting);
    }

    private async Task RetireAsync(TransactionObject transaction, TimeSpan delay, bool onlyIfWaiting)
    {
        try
        {
            await Task.Delay(delay, _stopping.Token);
        }
        catch (OperationCanceledException)
        {
            return;
        }

        if (!onlyIfWaiting || transaction.TryAbandon())
        {
            Unexport(transaction);
        }
    }

    private void Unexport(TransactionObject transaction)
    {
        lock (_gate)
        {
            if (!_objects.Remove(transaction.Path))
            {
                return;
            }
        }

        connection.RemoveMethodHandler(transaction.Path);
    }

    /// <summary>Daemon shutdown: running transactions stop at their next cancellation point; waits for them.</summary>
    public async Task StopAsync()
    {
        Task[] running;
        lock (_gate)
        {
            foreach (var transaction in _objects.Values)
            {
                transaction.CancelForShutdown();
            }

            running = [.. _running];
        }

        await _stopping.CancelAsync();
        await Task.WhenAll(running);
    }
}
