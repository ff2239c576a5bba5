using Distrid.Fuse.Protocol;

namespace Distrid.Fuse.Session;

/// <summary>
/// Request counters per opcode plus error counters, updated with interlocked increments (no allocation) and
/// readable at any time, e.g. for a status command.
/// </summary>
public sealed class FuseRequestCounters
{
    internal const int OpcodeSlots = 64;

    private readonly long[] _requests = new long[OpcodeSlots + 1];
    private long _handlerFailures;
    private long _replyFailures;
    private long _interruptedReplies;
    private long _malformedRequests;
    private long _storesSent;
    private long _storesDropped;
    private long _storeFailures;
    private long _ringRequests;

    /// <summary>Requests received with this opcode (unknown opcodes above 63 share one slot).</summary>
    public long this[FuseOpcode opcode] => Volatile.Read(ref _requests[Slot((uint)opcode)]);

    public long TotalRequests
    {
        get
        {
            long total = 0;
            for (int i = 0; i < _requests.Length; i++)
            {
                total += Volatile.Read(ref _requests[i]);
            }

            return total;
        }
    }

    /// <summary>Handlers that threw (answered EIO).</summary>
    public long HandlerFailures => Volatile.Read(ref _handlerFailures);

    /// <summary>Reply writes that failed for a reason other than an interrupted request.</summary>
    public long ReplyFailures => Volatile.Read(ref _replyFailures);

    /// <summary>Replies the kernel no longer wanted (ENOENT: the request was interrupted). Normal.</summary>
    public long InterruptedReplies => Volatile.Read(ref _interruptedReplies);

    /// <summary>Requests shorter than their header or body demands (answered EIO or dropped).</summary>
    public long MalformedRequests => Volatile.Read(ref _malformedRequests);

    /// <summary>Page-cache stores (NOTIFY_STORE) the kernel accepted.</summary>
    public long StoresSent => Volatile.Read(ref _storesSent);

    /// <summary>Page-cache stores dropped because the store queue was full.</summary>
    public long StoresDropped => Volatile.Read(ref _storesDropped);

    /// <summary>Page-cache stores that failed (other than ENOENT: the kernel had forgotten the inode).</summary>
    public long StoreFailures => Volatile.Read(ref _storeFailures);

    /// <summary>Requests that came through an io_uring entry instead of a /dev/fuse read (included in the opcode counts).</summary>
    public long RingRequests => Volatile.Read(ref _ringRequests);

    /// <summary>A copy of the non-zero counters by opcode name.</summary>
    public IReadOnlyDictionary<string, long> Snapshot()
    {
        var result = new SortedDictionary<string, long>(StringComparer.Ordinal);
        for (uint i = 0; i < _requests.Length; i++)
        {
            long count = Volatile.Read(ref _requests[i]);
            if (count != 0)
            {
                result[i == OpcodeSlots ? "UNKNOWN" : OpcodeTable.NameOf(i)] = count;
            }
        }

        return result;
    }

    internal void CountRequest(uint opcode) => Interlocked.Increment(ref _requests[Slot(opcode)]);

    internal void CountRingRequest() => Interlocked.Increment(ref _ringRequests);

    internal void CountHandlerFailure() => Interlocked.Increment(ref _handlerFailures);

    internal void CountReplyFailure() => Interlocked.Increment(ref _replyFailures);

    internal void CountInterruptedReply() => Interlocked.Increment(ref _interruptedReplies);

    internal void CountMalformedRequest() => Interlocked.Increment(ref _malformedRequests);

    internal void CountStoreSent() => Interlocked.Increment(ref _storesSent);

    internal void CountStoreDropped() => Interlocked.Increment(ref _storesDropped);

    internal void CountStoreFailure() => Interlocked.Increment(ref _storeFailures);

    private static int Slot(uint opcode) => opcode < OpcodeSlots ? (int)opcode : OpcodeSlots;
}
