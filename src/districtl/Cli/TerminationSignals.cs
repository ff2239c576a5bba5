using System.Runtime.InteropServices;

namespace Districtl.Cli;

/// <summary>
/// Ctrl-C (SIGINT) and SIGTERM cancel the verb's token instead of killing districtl: a daemon call then sends
/// <c>$/cancelRequest</c> and waits for the daemon's word (the transaction stopped before its commit, or completed),
/// at most <see cref="Wait"/>. Registered before the verb's action starts, because the action sends its call before
/// its first wait: System.CommandLine's own handling (ProcessTerminationTimeout) comes only after that wait, and a
/// Ctrl-C in between killed districtl without the daemon's word while the daemon cancelled.
/// </summary>
internal sealed class TerminationSignals : IDisposable
{
    /// <summary>How long districtl waits for the daemon's answer after the signal.</summary>
    public static readonly TimeSpan Wait = TimeSpan.FromSeconds(5);

    private readonly CancellationTokenSource _cancel = new();
    private readonly TaskCompletionSource<int> _gaveUp = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly PosixSignalRegistration _sigint;
    private readonly PosixSignalRegistration _sigterm;

    public TerminationSignals()
    {
        _sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, context => Cancel(context, 130));
        _sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context => Cancel(context, 143));
    }

    /// <summary>Cancelled by the first signal.</summary>
    public CancellationToken Token => _cancel.Token;

    /// <summary>Completes with the signal's exit status (128 + its number) <see cref="Wait"/> after it came.</summary>
    public Task<int> GaveUp => _gaveUp.Task;

    private void Cancel(PosixSignalContext context, int exitStatus)
    {
        context.Cancel = true;
        _cancel.Cancel();
        _ = Task.Delay(Wait).ContinueWith(_ => _gaveUp.TrySetResult(exitStatus), TaskScheduler.Default);
    }

    /// <summary>Stops handling the signals. The token source is not disposed: a handler already running when the
    /// registrations go may still cancel it, and a source without timers or wait handles holds nothing to free.</summary>
    public void Dispose()
    {
        _sigint.Dispose();
        _sigterm.Dispose();
    }
}
