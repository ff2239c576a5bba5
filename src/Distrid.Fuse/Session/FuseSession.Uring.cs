using Distrid.Fuse.Interop;
using Distrid.Fuse.Protocol;

namespace Distrid.Fuse.Session;

// FUSE over io_uring: per-CPU queues served by ring workers, set up while INIT is answered. The reader threads
// keep running beside them: the kernel still sends FORGET, INTERRUPT, resent requests and everything before the
// rings are ready through /dev/fuse reads, and it falls back to them entirely when a REGISTER fails.
public sealed partial class FuseSession
{
    private FuseUringWorker[] _uringWorkers = [];
    private volatile bool _usesIoUring;

    /// <summary>
    /// True when this connection's requests go through io_uring (negotiated in INIT, every queue registered or
    /// being registered). <see cref="FuseRequestCounters.RingRequests"/> counts those actually served that way.
    /// </summary>
    public bool UsesIoUring => _usesIoUring;

    /// <summary>
    /// Creates the rings of every queue (one worker thread per entry) before INIT asks for io_uring, so that a
    /// machine where io_uring is unavailable (seccomp, io_uring_disabled, no memory) simply answers INIT without it:
    /// once the kernel has agreed to io_uring it holds new requests until every queue has an entry. Returns false
    /// (after one log line) when any ring could not be created.
    /// </summary>
    internal bool TryPrepareUring()
    {
        if (PossibleCpus.Count() is not int queues || queues > ushort.MaxValue)
        {
            Options.Log?.Invoke("fuse: io_uring offered but the number of possible CPUs is unknown; serving through /dev/fuse reads");
            return false;
        }

        int perQueue = Math.Clamp(Options.IoUringThreadsPerQueue, 1, 64);
        var workers = new FuseUringWorker[queues * perQueue];
        for (int i = 0; i < workers.Length; i++)
        {
            workers[i] = new FuseUringWorker(this, Mount.DeviceFd, (ushort)(i / perQueue), i % perQueue);
        }

        Interlocked.Add(ref _runningReaders, workers.Length);
        foreach (FuseUringWorker worker in workers)
        {
            worker.Start();
        }

        int failure = 0;
        foreach (FuseUringWorker worker in workers)
        {
            worker.WaitPrepared();
            failure = failure != 0 ? failure : worker.PrepareResult;
        }

        if (failure != 0)
        {
            foreach (FuseUringWorker worker in workers)
            {
                worker.Release(register: false);
            }

            Options.Log?.Invoke($"fuse: io_uring offered but a ring could not be created (errno {-failure}); serving through /dev/fuse reads");
            return false;
        }

        _uringWorkers = workers;
        return true;
    }

    /// <summary>After the INIT reply: the workers register their entries (or exit when INIT failed).</summary>
    private void ReleaseUring(bool register)
    {
        _usesIoUring = register && _uringWorkers.Length > 0;
        foreach (FuseUringWorker worker in _uringWorkers)
        {
            worker.Release(register);
        }
    }

    /// <summary>A reader or ring worker ended; the last one completes the session.</summary>
    internal void OnWorkerExited()
    {
        if (Interlocked.Decrement(ref _runningReaders) == 0)
        {
            _storeQueue?.Dispose();
            _completion.TrySetResult();
        }
    }

    /// <summary>Bytes the ring workers allocated on the managed heap since they started (should stay flat).</summary>
    internal long UringAllocatedBytes
    {
        get
        {
            long total = 0;
            foreach (FuseUringWorker worker in _uringWorkers)
            {
                total += Volatile.Read(ref worker.AllocatedBytes);
            }

            return total;
        }
    }

    /// <summary>
    /// INIT's io_uring decision: asked for only when offered, allowed, and every ring could be created. Never for a
    /// connection meant to outlive this process (<see cref="FuseSessionOptions.CloneReaderDescriptors"/> off): a
    /// successor cannot take over ring entries, and the kernel does not resend what they held.
    /// </summary>
    internal FuseInitFlags NegotiateUring(ulong offered) =>
        Options.UseIoUring && Options.CloneReaderDescriptors && (offered & (ulong)FuseInitFlags.OverIoUring) != 0 && TryPrepareUring()
            ? FuseInitFlags.OverIoUring
            : FuseInitFlags.None;
}
