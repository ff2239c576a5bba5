using Distrid.Fuse.Interop;
using Distrid.Fuse.Protocol;

namespace Distrid.Fuse.Session;

/// <summary>
/// One FUSE-over-io_uring ring entry and the thread that serves it: its own io_uring (created on this thread, so
/// SINGLE_ISSUER holds), a header buffer and a payload buffer registered with queue <see cref="QueueId"/>. Each
/// turn is one io_uring_enter: commit the previous reply and sleep until the kernel puts the next request of
/// this CPU's queue into the buffers. The request goes through the session's one dispatch; the handler writes its
/// reply straight into the payload buffer, which the kernel copies from on commit.
/// </summary>
internal sealed unsafe class FuseUringWorker
{
    /// <summary>How often an entry whose commit the kernel refused is registered afresh before the thread gives up.</summary>
    private const int MaxReRegistrations = 16;

    /// <summary>Room in front of the request copy: fuse_in_header plus the largest opcode header.</summary>
    private const int RequestHeaderRoom = FuseInHeader.Size + FuseUringLayout.OpcodeHeaderSize;

    private readonly FuseSession _session;
    private readonly int _deviceFd;
    private readonly ManualResetEventSlim _prepared = new();
    private readonly ManualResetEventSlim _go = new();
    private volatile bool _register;
    private NativeBuffer? _headers;
    private NativeBuffer? _payload;
    private bool _replied;

    public FuseUringWorker(FuseSession session, int deviceFd, ushort queueId, int index)
    {
        _session = session;
        _deviceFd = deviceFd;
        QueueId = queueId;
        Index = index;
    }

    public ushort QueueId { get; }

    public int Index { get; }

    /// <summary>0 once the ring exists, else the negative errno of its setup (valid after <see cref="WaitPrepared"/>).</summary>
    public int PrepareResult { get; private set; } = -Errno.EIO;

    /// <summary>Bytes this thread allocated on the managed heap while serving (should stay flat).</summary>
    public long AllocatedBytes;

    /// <summary>Starts the thread, which creates its ring and then waits for <see cref="Release"/>.</summary>
    public void Start()
    {
        var thread = new Thread(Run) { IsBackground = true, Name = $"fuse-uring-{QueueId}.{Index}" };
        thread.Start();
    }

    public void WaitPrepared() => _prepared.Wait();

    /// <summary>
    /// Lets the thread go on: <paramref name="register"/> true after the INIT reply that asked for io_uring (the
    /// kernel refuses REGISTER before INIT is done), false to close the ring and exit.
    /// </summary>
    public void Release(bool register)
    {
        _register = register;
        _go.Set();
    }

    /// <summary>Called by <see cref="FuseSession.SendReply"/> for a request that came through this entry.</summary>
    internal int SetReply(ulong unique, int error, int payload)
    {
        byte* headers = _headers!.Pointer;
        ref FuseOutHeader header = ref *(FuseOutHeader*)(headers + FuseUringLayout.InOutHeader);
        header.Length = (uint)(FuseOutHeader.Size + payload);
        header.Error = error;
        header.Unique = unique;
        *(uint*)(headers + FuseUringLayout.PayloadSize) = (uint)payload;
        _replied = true;
        return 0;
    }

    private void Run()
    {
        IoUring? ring = null;
        try
        {
            PrepareResult = IoUring.TryCreate(4, out ring);
            _prepared.Set();
            _go.Wait();
            if (ring is null || !_register)
            {
                return;
            }

            using var headers = new NativeBuffer(4096);
            using var payload = new NativeBuffer(FuseSession.BufferSize);
            using var request = new NativeBuffer(FuseSession.BufferSize + RequestHeaderRoom);
            _headers = headers;
            _payload = payload;
            Serve(ring, request);
        }
        catch (Exception ex)
        {
            _session.Options.Log?.Invoke($"fuse: io_uring worker {QueueId}.{Index} crashed: {ex}");
        }
        finally
        {
            _prepared.Set();
            ring?.Dispose();
            _session.OnWorkerExited();
        }
    }

    private void Serve(IoUring ring, NativeBuffer request)
    {
        // The iovec pair REGISTER points at lives in the header buffer, after the 288 bytes the kernel uses.
        var iov = (Libc.IoVec*)(_headers!.Pointer + 1024);
        iov[0] = new Libc.IoVec { Base = _headers.Pointer, Length = FuseUringLayout.HeaderBufferSize };
        iov[1] = new Libc.IoVec { Base = _payload!.Pointer, Length = (nuint)_payload.Length };
        QueueRegister(ring, iov);
        int reRegistrations = 0;
        long baseline = GC.GetAllocatedBytesForCurrentThread();
        while (true)
        {
            int status = ring.SubmitAndWait();
            if (status < 0)
            {
                _session.Options.Log?.Invoke($"fuse: io_uring_enter on queue {QueueId} failed with errno {-status}; its worker stops");
                return;
            }

            if (!ring.TryTakeCompletion(out _, out int result))
            {
                continue;
            }

            if (result < 0)
            {
                if (result is -Errno.ENOTCONN or -Errno.ECONNABORTED or -Errno.ECANCELED or -Errno.ENODEV)
                {
                    return; // The connection ended (unmount, abort) or the ring is being torn down.
                }

                if (result == -Errno.ENOENT && reRegistrations++ < MaxReRegistrations)
                {
                    // The kernel no longer knew the request we committed (ended meanwhile); the entry is gone with it.
                    QueueRegister(ring, iov);
                    continue;
                }

                _session.Options.Log?.Invoke($"fuse: io_uring command on queue {QueueId} failed with errno {-result}; its worker stops");
                return;
            }

            ulong unique = Handle(request);
            QueueCommit(ring, unique);
            Volatile.Write(ref AllocatedBytes, GC.GetAllocatedBytesForCurrentThread() - baseline);
        }
    }

    /// <summary>
    /// Rebuilds the request as /dev/fuse would deliver it (in header, opcode header, rest) in one contiguous buffer and
    /// dispatches it. Copying the small request keeps the payload buffer free for the reply. Returns the unique.
    /// </summary>
    private ulong Handle(NativeBuffer request)
    {
        byte* headers = _headers!.Pointer;
        ulong unique = *(ulong*)(headers + FuseUringLayout.EntryInOut + 8);
        uint payloadSize = *(uint*)(headers + FuseUringLayout.PayloadSize);
        FuseInHeader header = *(FuseInHeader*)(headers + FuseUringLayout.InOutHeader);
        long opcodeHeaderSize = (long)header.Length - FuseInHeader.Size - payloadSize;
        _replied = false;
        _session.Statistics.CountRingRequest();
        if (opcodeHeaderSize < 0 || opcodeHeaderSize > FuseUringLayout.OpcodeHeaderSize || payloadSize > (uint)_payload!.Length)
        {
            _session.Statistics.CountRequest(header.Opcode);
            _session.Statistics.CountMalformedRequest();
            SetReply(unique, -Errno.EIO, 0);
            return unique;
        }

        byte* target = request.Pointer;
        Buffer.MemoryCopy(headers + FuseUringLayout.InOutHeader, target, FuseInHeader.Size, FuseInHeader.Size);
        Buffer.MemoryCopy(headers + FuseUringLayout.OpcodeHeader, target + FuseInHeader.Size, opcodeHeaderSize, opcodeHeaderSize);
        Buffer.MemoryCopy(_payload.Pointer, target + FuseInHeader.Size + opcodeHeaderSize, payloadSize, payloadSize);
        _session.Dispatch(request.Span[..(int)header.Length], _payload.Span, _deviceFd, _payload, this);
        if (!_replied)
        {
            // An entry must always be committed, or it is lost; opcodes without replies never come this way.
            SetReply(unique, -Errno.EIO, 0);
        }

        return unique;
    }

    private void QueueRegister(IoUring ring, Libc.IoVec* iov)
    {
        byte* sqe = PrepareCommand(ring, FuseUringLayout.CommandRegister);
        *(ulong*)(sqe + 16) = (ulong)iov; // addr: the iovec array
        *(uint*)(sqe + 24) = 2;           // len: header and payload
    }

    private void QueueCommit(IoUring ring, ulong unique)
    {
        byte* sqe = PrepareCommand(ring, FuseUringLayout.CommandCommitAndFetch);
        *(ulong*)(sqe + FuseUringLayout.CommandCommitId) = unique;
    }

    private byte* PrepareCommand(IoUring ring, uint command)
    {
        byte* sqe = ring.NextSqe();
        sqe[0] = IoUringCalls.OpUringCmd;
        *(int*)(sqe + 4) = _deviceFd;
        *(uint*)(sqe + FuseUringLayout.SqeCommandOp) = command;
        *(ulong*)(sqe + 32) = command; // user_data
        *(ushort*)(sqe + FuseUringLayout.CommandQueueId) = QueueId;
        return sqe;
    }
}
