using Distrid.Fuse.Protocol;

namespace Distrid.Fuse.Interop;

/// <summary>
/// One io_uring instance with 128-byte submission entries (IORING_SETUP_SQE128, which uring_cmd needs for its
/// 80-byte command area), used by a single thread: fill an entry with <see cref="NextSqe"/>, then
/// <see cref="SubmitAndWait"/> submits it and sleeps until a completion arrives, in one io_uring_enter.
/// </summary>
internal sealed unsafe class IoUring : IDisposable
{
    public const int SqeSize = 128;

    private readonly int _fd;
    private readonly byte* _sqRing;
    private readonly nuint _sqRingLength;
    private readonly byte* _cqRing;
    private readonly nuint _cqRingLength;
    private readonly byte* _sqes;
    private readonly nuint _sqesLength;
    private readonly uint* _sqHead;
    private readonly uint* _sqTail;
    private readonly uint _sqMask;
    private readonly uint* _sqArray;
    private readonly uint* _cqHead;
    private readonly uint* _cqTail;
    private readonly uint _cqMask;
    private readonly byte* _cqes;
    private uint _localTail;
    private bool _disposed;

    private IoUring(int fd, in IoUringCalls.Params p, byte* sqRing, nuint sqRingLength, byte* cqRing, nuint cqRingLength, byte* sqes, nuint sqesLength)
    {
        _fd = fd;
        _sqRing = sqRing;
        _sqRingLength = sqRingLength;
        _cqRing = cqRing;
        _cqRingLength = cqRingLength;
        _sqes = sqes;
        _sqesLength = sqesLength;
        _sqHead = (uint*)(sqRing + p.SqHead);
        _sqTail = (uint*)(sqRing + p.SqTail);
        _sqMask = *(uint*)(sqRing + p.SqRingMask);
        _sqArray = (uint*)(sqRing + p.SqArray);
        _cqHead = (uint*)(cqRing + p.CqHead);
        _cqTail = (uint*)(cqRing + p.CqTail);
        _cqMask = *(uint*)(cqRing + p.CqRingMask);
        _cqes = cqRing + p.CqCqes;
        _localTail = *_sqTail;
    }

    /// <summary>The ring's descriptor.</summary>
    public int Fd => _fd;

    /// <summary>
    /// Creates a ring of <paramref name="entries"/> SQE128 entries for use by the calling thread only: first with
    /// SINGLE_ISSUER and DEFER_TASKRUN (completion work runs when this thread waits, no interrupting signals), then
    /// without them for kernels that lack those flags. Returns 0, or a negative errno with a null ring.
    /// </summary>
    public static int TryCreate(uint entries, out IoUring? ring)
    {
        int result = TryCreate(entries, IoUringCalls.SetupSqe128 | IoUringCalls.SetupSingleIssuer | IoUringCalls.SetupDeferTaskrun, out ring);
        return result == -Errno.EINVAL ? TryCreate(entries, IoUringCalls.SetupSqe128, out ring) : result;
    }

    private static int TryCreate(uint entries, uint flags, out IoUring? ring)
    {
        ring = null;
        var p = new IoUringCalls.Params { Flags = flags };
        int fd = IoUringCalls.Setup(entries, ref p);
        if (fd < 0)
        {
            return fd;
        }

        nuint sqLength = p.SqArray + (p.SqEntries * sizeof(uint));
        nuint cqLength = p.CqCqes + (p.CqEntries * 16u);
        bool single = (p.Features & IoUringCalls.FeatureSingleMmap) != 0;
        if (single)
        {
            sqLength = cqLength = Math.Max(sqLength, cqLength);
        }

        byte* sq = IoUringCalls.Map(fd, sqLength, IoUringCalls.OffsetSqRing);
        byte* cq = single ? sq : IoUringCalls.Map(fd, cqLength, IoUringCalls.OffsetCqRing);
        nuint sqesLength = p.SqEntries * (nuint)SqeSize;
        byte* sqes = IoUringCalls.Map(fd, sqesLength, IoUringCalls.OffsetSqes);
        if (sq == null || cq == null || sqes == null)
        {
            IoUringCalls.Unmap(sqes, sqesLength);
            if (!single)
            {
                IoUringCalls.Unmap(cq, cqLength);
            }

            IoUringCalls.Unmap(sq, sqLength);
            Libc.Close(fd);
            return -Errno.ENOMEM;
        }

        ring = new IoUring(fd, p, sq, sqLength, cq, single ? 0 : cqLength, sqes, sqesLength);
        return 0;
    }

    /// <summary>The next submission entry, zeroed; it goes to the kernel with the next <see cref="SubmitAndWait"/>.</summary>
    public byte* NextSqe()
    {
        uint index = _localTail & _sqMask;
        byte* sqe = _sqes + (index * (uint)SqeSize);
        new Span<byte>(sqe, SqeSize).Clear();
        _sqArray[index] = index;
        _localTail++;
        Volatile.Write(ref *_sqTail, _localTail);
        return sqe;
    }

    /// <summary>
    /// Submits what <see cref="NextSqe"/> queued and waits until at least one completion is ready (retrying after
    /// signals). Returns 0 or a negative errno.
    /// </summary>
    public int SubmitAndWait()
    {
        while (true)
        {
            uint toSubmit = _localTail - Volatile.Read(ref *_sqHead);
            if (toSubmit == 0 && CompletionReady())
            {
                return 0;
            }

            int result = IoUringCalls.Enter(_fd, toSubmit, 1, IoUringCalls.EnterGetEvents);
            if (result < 0 && result != -Errno.EINTR && result != -Errno.EAGAIN && result != -Errno.EBUSY)
            {
                return result;
            }
        }
    }

    /// <summary>Takes the oldest completion, if any.</summary>
    public bool TryTakeCompletion(out ulong userData, out int result)
    {
        uint head = *_cqHead;
        if (head == Volatile.Read(ref *_cqTail))
        {
            userData = 0;
            result = 0;
            return false;
        }

        byte* cqe = _cqes + ((head & _cqMask) * 16u);
        userData = *(ulong*)cqe;
        result = *(int*)(cqe + 8);
        Volatile.Write(ref *_cqHead, head + 1);
        return true;
    }

    private bool CompletionReady() => *_cqHead != Volatile.Read(ref *_cqTail);

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        IoUringCalls.Unmap(_sqes, _sqesLength);
        if (_cqRingLength != 0)
        {
            IoUringCalls.Unmap(_cqRing, _cqRingLength);
        }

        IoUringCalls.Unmap(_sqRing, _sqRingLength);
        Libc.Close(_fd);
    }
}
