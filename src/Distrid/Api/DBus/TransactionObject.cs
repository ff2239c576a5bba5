using System.Diagnostics;
using Distrid.Api.Authorization;
using Microsoft.Extensions.Logging;
using Tmds.DBus.Protocol;

namespace Distrid.Api.DBus;

/// <summary>
/// One transaction object, <c>/org/distrid/Distrid1/Transaction/N</c>. Only its creator (same unique name) may
/// Start it; Start authorizes inside the transaction (a refusal is ErrorCode + Finished "failed"). Once started it
/// runs to the end while its creator stays on the bus; when the creator leaves, it is cancelled like a Cancel, unless
/// the creator called <c>StartDetached</c> instead of <c>Start</c> (<see cref="MutationRequest.Detached"/>). Cancel
/// works for the creator, or for a caller polkit allows <c>cancel-foreign</c>, until the commit begins.
/// </summary>
internal sealed partial class TransactionObject : IPathMethodHandler
{
    private static readonly long ProgressInterval = Stopwatch.Frequency / 5;

    private readonly Lock _gate = new();
    // Taken before _gate, never after it: keeps signals in order (no Progress after Finished).
    private readonly Lock _signalOrder = new();
    private readonly CancellationTokenSource _cancel = new();
    private readonly ProgressThrottle _throttle = new(ProgressInterval);
    private readonly MutationRequest _request;
    private readonly CallerIdentity _creator;
    private readonly TransactionRegistry _registry;
    private readonly ILogger _logger;
    private readonly Stopwatch _runtime = new();
    private TransactionState _state;
    private string _status = "waiting";
    private uint _percentage = 101;
    private bool _allowCancel = true;
    private bool _detached;

    public TransactionObject(uint number, MutationRequest request, string sender, CallerIdentity creator, TransactionRegistry registry, ILogger logger)
    {
        Path = DBusNames.TransactionPathPrefix + number.ToString(System.Globalization.CultureInfo.InvariantCulture);
        _request = request;
        Sender = sender;
        _creator = creator;
        _registry = registry;
        _logger = logger;
    }

    public string Path { get; }

    public bool HandlesChildPaths => false;

    /// <summary>The creator's unique bus name.</summary>
    public string Sender { get; }

    public TransactionState State
    {
        get
        {
            lock (_gate)
            {
                return _state;
            }
        }
    }

    public ValueTask HandleMethodAsync(MethodContext context)
    {
        var request = context.Request;
        if (context.IsDBusIntrospectRequest)
        {
            context.ReplyIntrospectXml([Introspection.Transaction, Introspection.Properties]);
        }
        else if (context.IsPropertiesInterfaceRequest)
        {
            HandleProperties(context);
        }
        else if (request.InterfaceAsString is DBusNames.TransactionInterface or null && (request.SignatureAsString ?? "") == "")
        {
            switch (request.MemberAsString)
            {
                case "Start":
                    Start(context, detached: false);
                    break;
                case "StartDetached":
                    Start(context, detached: true);
                    break;
                case "Cancel":
                    Cancel(context);
                    break;
            }
        }

        return ValueTask.CompletedTask;
    }

    private void Start(MethodContext context, bool detached)
    {
        if (context.Request.SenderAsString != Sender)
        {
            context.ReplyError(DBusErrors.AccessDenied, "only the creator of a transaction may start it");
            return;
        }

        lock (_gate)
        {
            if (_state != TransactionState.Waiting)
            {
                context.ReplyError(DBusErrors.WrongState, $"the transaction is already {_status}");
                return;
            }

            _state = TransactionState.Running;
            _detached = detached;
            _runtime.Start();
        }

        // The Start message, not the creating call, says whether the client can show an authentication dialog.
        bool interactive = (context.Request.MessageFlags & MessageFlags.AllowInteractiveAuthorization) != 0;
        MethodReplies.Reply(context, null, static (ref MessageWriter _) => { });
        _registry.Track(RunAsync(_creator with { AllowInteraction = interactive }));
    }

    private void Cancel(MethodContext context)
    {
        if (context.Request.SenderAsString == Sender)
        {
            CancelAndReply(context);
            return;
        }

        MethodReplies.RunDetached(context, _logger, async c =>
        {
            bool interactive = (c.Request.MessageFlags & MessageFlags.AllowInteractiveAuthorization) != 0;
            var caller = await _registry.Callers.ResolveAsync(c.Request.SenderAsString!, interactive);
            await _registry.Runner.AuthorizeAsync(caller, PolkitActions.CancelForeign, c.RequestAborted);
            CancelAndReply(c);
        });
    }

    private void CancelAndReply(MethodContext context)
    {
        bool finishNow;
        lock (_gate)
        {
            if (_state == TransactionState.Finished || !_allowCancel)
            {
                context.ReplyError(DBusErrors.WrongState, _state == TransactionState.Finished
                    ? "the transaction has finished" : "the transaction is committing and can no longer be cancelled");
                return;
            }

            finishNow = _state == TransactionState.Waiting;
            if (finishNow)
            {
                _state = TransactionState.Finished;
            }
        }

        _cancel.Cancel();
        MethodReplies.Reply(context, null, static (ref MessageWriter _) => { });
        if (finishNow)
        {
            Finish("cancelled", "cancelled", "cancelled before it started");
        }
    }

    /// <summary>Dropped without a word: its creator left the bus before starting it (nobody is listening).</summary>
    public bool TryAbandon()
    {
        lock (_gate)
        {
            if (_state != TransactionState.Waiting)
            {
                return false;
            }

            _state = TransactionState.Finished;
            return true;
        }
    }

    /// <summary>
    /// The creator left the bus while the transaction runs: cancel it at its next cancellation point (never inside the
    /// commit), unless it was started detached. False when there was nothing to cancel.
    /// </summary>
    public bool CancelForLostCaller()
    {
        lock (_gate)
        {
            if (_detached || _state != TransactionState.Running || !_allowCancel)
            {
                return false;
            }
        }

        _cancel.Cancel();
        return true;
    }

    /// <summary>Daemon shutdown: a running transaction stops at its next cancellation point (never inside a commit).</summary>
    public void CancelForShutdown() => _cancel.Cancel();
}
