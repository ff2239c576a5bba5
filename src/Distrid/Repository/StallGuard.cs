namespace Distrid.Repository;

/// <summary>
/// Aborts a request whose mirror is too slow to be worth waiting for, with two rules and no total time limit (a big
/// image on a slow but honest link must still arrive):
/// <list type="bullet">
/// <item>silence: no byte for <see cref="Timeout"/> (armed before each wait on the network: headers, each body read);</item>
/// <item>trickle: once a body is flowing, fewer than <see cref="RepositoryClientOptions.MinimumTransferRate"/> bytes per
/// second over the last <see cref="RepositoryClientOptions.TransferRateWindow"/>. A server that sends one byte a second
/// never trips the silence rule; this one catches it within one window.</item>
/// </list>
/// The rate is sampled by a timer (a tenth of the window apart), not by the reads: a body that stops between reads is
/// caught as well, and the read path only adds to a counter (<see cref="Count"/>), so it allocates nothing.
/// One guard per request: a fired CancellationTokenSource cannot be reset.
/// </summary>
internal sealed class StallGuard : IDisposable
{
    private const int SamplesPerWindow = 10;

    private readonly CancellationTokenSource _cts;
    private readonly CancellationToken _outer;
    private readonly TimeSpan _timeout;
    private readonly long _minimumRate;
    private readonly TimeSpan _window;
    private readonly Lock _samplerGate = new();

    // Byte totals at the last SamplesPerWindow + 1 ticks (a ring): the oldest and newest are one window apart.
    private readonly long[] _samples = new long[SamplesPerWindow + 1];
    private Timer? _sampler;
    private int _ticks;
    private long _received;
    private double _measuredRate;
    private volatile bool _tooSlow;
    private bool _disposed;

    public StallGuard(RepositoryClientOptions options, CancellationToken outer)
    {
        _timeout = options.StallTimeout;
        _minimumRate = options.MinimumTransferRate;
        _window = options.TransferRateWindow;
        _outer = outer;
        _cts = CancellationTokenSource.CreateLinkedTokenSource(outer);
    }

    public CancellationToken Token => _cts.Token;

    public TimeSpan Timeout => _timeout;

    /// <summary>True when the guard, not the caller, cancelled.</summary>
    public bool Fired => _cts.IsCancellationRequested && !_outer.IsCancellationRequested;

    /// <summary>True when the guard fired because of the rate rule (else it was silence).</summary>
    public bool FiredForRate => Fired && _tooSlow;

    public void Arm() => _cts.CancelAfter(_timeout);

    public void Disarm() => _cts.CancelAfter(System.Threading.Timeout.InfiniteTimeSpan);

    /// <summary>
    /// The body starts flowing: from now on the rate rule applies (the wait for headers is the silence rule's). Does
    /// nothing when the rule is off (a minimum of 0) or already started.
    /// </summary>
    public void StartRateWatch()
    {
        if (_minimumRate <= 0 || _window <= TimeSpan.Zero)
        {
            return;
        }

        lock (_samplerGate)
        {
            if (_sampler is not null || _disposed)
            {
                return;
            }

            _samples[0] = Interlocked.Read(ref _received);
            _ticks = 1;
            var tick = _window / SamplesPerWindow;
            _sampler = new Timer(static state => ((StallGuard)state!).Sample(), this, tick, tick);
        }
    }

    /// <summary>Bytes that arrived (the read path: one interlocked add, nothing else).</summary>
    public void Count(int bytes) => Interlocked.Add(ref _received, bytes);

    /// <summary>The one line for a trickling mirror, e.g. "too slow: 12 B/s over 30 s, below the minimum 1 KiB/s".</summary>
    public string DescribeRate() =>
        $"too slow: {TransferRate.Format(Volatile.Read(ref _measuredRate))} over {_window.TotalSeconds:0.###} s, below the minimum {TransferRate.Format(_minimumRate)}";

    private void Sample()
    {
        lock (_samplerGate)
        {
            if (_disposed || _cts.IsCancellationRequested)
            {
                return;
            }

            long now = Interlocked.Read(ref _received);
            bool full = _ticks >= SamplesPerWindow;
            long windowAgo = full ? _samples[(_ticks - SamplesPerWindow) % _samples.Length] : 0;
            _samples[_ticks % _samples.Length] = now;
            _ticks++;
            if (!full)
            {
                return;
            }

            double rate = (now - windowAgo) / _window.TotalSeconds;
            if (rate < _minimumRate)
            {
                Volatile.Write(ref _measuredRate, rate);
                _tooSlow = true;
                _cts.Cancel();
            }
        }
    }

    public void Dispose()
    {
        lock (_samplerGate)
        {
            _disposed = true;
            _sampler?.Dispose();
        }

        _cts.Dispose();
    }
}
