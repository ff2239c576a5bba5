namespace Distrid.Repository;

/// <summary>
/// Aborts a request whose connection stays silent for the stall timeout: armed before each wait on the network
/// (headers, each body read), disarmed after. A total timeout would kill slow but healthy downloads of large images.
/// One guard per request: a fired CancellationTokenSource cannot be reset.
/// </summary>
internal sealed class StallGuard : IDisposable
{
    private readonly CancellationTokenSource _cts;
    private readonly CancellationToken _outer;
    private readonly TimeSpan _timeout;

    public StallGuard(TimeSpan timeout, CancellationToken outer)
    {
        _timeout = timeout;
        _outer = outer;
        _cts = CancellationTokenSource.CreateLinkedTokenSource(outer);
    }

    public CancellationToken Token => _cts.Token;

    public TimeSpan Timeout => _timeout;

    /// <summary>True when the guard, not the caller, cancelled.</summary>
    public bool Fired => _cts.IsCancellationRequested && !_outer.IsCancellationRequested;

    public void Arm() => _cts.CancelAfter(_timeout);

    public void Disarm() => _cts.CancelAfter(System.Threading.Timeout.InfiniteTimeSpan);

    public void Dispose() => _cts.Dispose();
}
