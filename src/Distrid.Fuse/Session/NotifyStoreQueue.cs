using System.Runtime.InteropServices;
using Distrid.Fuse.FileSystem;
using Distrid.Fuse.Interop;
using Distrid.Fuse.Protocol;

namespace Distrid.Fuse.Session;

/// <summary>
/// Pushes file data into the kernel's page cache (FUSE_NOTIFY_STORE) on one dedicated thread, so a file system
/// that had to decompress a whole block for a small READ can hand the kernel the rest of it too.
/// </summary>
/// <remarks>
/// Why a thread of its own: NOTIFY_STORE locks every page it fills, and the pages of a READ in flight stay
/// locked until that READ is answered. A request handler that sent it before its reply could wait on itself,
/// and reader threads that all sent them could wait on each other. This thread holds nothing a reader needs:
/// readers only append to a bounded ring under a short lock and never wait (a full ring drops the request),
/// so a store that waits for a page lock waits for a reader that is free to answer.
/// The thread writes on a descriptor of its own (a clone of the mount's) and closes it itself when it stops, so a
/// store still blocked in the kernel can never write to a descriptor number the session has closed and reused.
/// A small direct-mapped table remembers recently queued ranges so that READs racing with a store of the same
/// block, or arriving again for it, do not push the same bytes twice. A dropped or failed store only costs a
/// later READ: correctness never depends on it.
/// </remarks>
internal sealed class NotifyStoreQueue : IDisposable
{
    private const int RecentSlots = 1024;
    private const int MaxPredictedRanges = 64;
    private const int HeaderBytes = FuseOutHeader.Size + FuseNotifyStoreOut.Size;

    private readonly FuseSession _session;
    private readonly IFuseFileSystem _fileSystem;
    private readonly Item[] _ring;
    private readonly ulong[] _recentNodes = new ulong[RecentSlots];
    private readonly long[] _recentOffsets = new long[RecentSlots];
    private readonly FuseStoreRange[] _predicted = new FuseStoreRange[MaxPredictedRanges];
    private readonly int _maxBytes;
    private readonly int _fd;
    private readonly Thread _thread;
    private int _head;
    private int _count;
    private bool _stopping;
    private bool _busy;

    /// <param name="session">The session whose statistics and log the queue uses.</param>
    /// <param name="fileSystem">Reads the bytes to store (<see cref="IFuseFileSystem.ReadForStore"/>).</param>
    /// <param name="fd">A /dev/fuse descriptor of the connection, owned (closed) by the queue's thread.</param>
    /// <param name="capacity">Ranges that may wait; more are dropped.</param>
    /// <param name="maxBytes">Largest store; longer ranges are cut.</param>
    public NotifyStoreQueue(FuseSession session, IFuseFileSystem fileSystem, int fd, int capacity, int maxBytes)
    {
        _session = session;
        _fd = fd;
        _fileSystem = fileSystem;
        _ring = new Item[Math.Max(1, capacity)];
        _maxBytes = maxBytes;
        _thread = new Thread(Run) { IsBackground = true, Name = "fuse-store" };
        _thread.Start();
    }

    /// <summary>Queues a store of up to <paramref name="length"/> bytes at <paramref name="offset"/>; never blocks.</summary>
    /// <returns>False when the range was queued recently, is empty, or the ring is full (dropped).</returns>
    public bool TryQueue(ulong node, long offset, int length) =>
        length > 0 && offset >= 0 && TryEnqueue(new Item(node, offset, Math.Min(length, _maxBytes), Predict: false));

    /// <summary>Queues a call of <see cref="IFuseFileSystem.PredictStores"/> for a READ of <paramref name="node"/>.</summary>
    public bool TryQueuePrediction(ulong node, long offset) =>
        offset >= 0 && TryEnqueue(new Item(node, offset, 0, Predict: true));

    private bool TryEnqueue(Item item)
    {
        if (item.Node == 0)
        {
            return false;
        }

        lock (_ring)
        {
            if (_stopping || !MarkRecent(item.Node, item.RecentKey))
            {
                return false;
            }

            if (_count == _ring.Length)
            {
                _session.Statistics.CountStoreDropped();
                return false;
            }

            _ring[(_head + _count) % _ring.Length] = item;
            if (_count++ == 0)
            {
                // PulseAll: a test may be waiting in WaitIdle too, and Pulse could wake it instead of the thread.
                Monitor.PulseAll(_ring);
            }
        }

        return true;
    }

    /// <summary>Remembers (node, key) in the recent table; false when it was there already. Caller holds the lock.</summary>
    private bool MarkRecent(ulong node, long key)
    {
        int slot = (int)((node * 0x9E3779B97F4A7C15UL) ^ (ulong)(key >> 12)) & (RecentSlots - 1);
        if (_recentNodes[slot] == node && _recentOffsets[slot] == key)
        {
            return false;
        }

        _recentNodes[slot] = node;
        _recentOffsets[slot] = key;
        return true;
    }

    /// <summary>Stops the thread after the store it is sending (queued ones are dropped); does not wait for it.</summary>
    public void Dispose()
    {
        lock (_ring)
        {
            _stopping = true;
            _count = 0;
            Monitor.PulseAll(_ring);
        }
    }

    /// <summary>Waits until the ring is empty and the thread idle (tests): true when that happened in time.</summary>
    internal bool WaitIdle(TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        lock (_ring)
        {
            while (_count > 0 || _busy)
            {
                var left = deadline - DateTime.UtcNow;
                if (left <= TimeSpan.Zero || !Monitor.Wait(_ring, left))
                {
                    return _count == 0 && !_busy;
                }
            }
        }

        return true;
    }

    private void Run()
    {
        try
        {
            RunLoop();
        }
        finally
        {
            FuseDevice.Close(_fd);
        }
    }

    private void RunLoop()
    {
        using var buffer = new NativeBuffer(HeaderBytes + _maxBytes);
        while (true)
        {
            Item item;
            lock (_ring)
            {
                _busy = false;
                Monitor.PulseAll(_ring);
                while (_count == 0 && !_stopping)
                {
                    Monitor.Wait(_ring);
                }

                if (_stopping)
                {
                    return;
                }

                item = _ring[_head];
                _head = (_head + 1) % _ring.Length;
                _count--;
                _busy = true;
            }

            if (item.Predict)
            {
                SendPredicted(buffer, item);
            }
            else
            {
                Send(buffer, item);
            }
        }
    }

    /// <summary>Stores what the file system predicts after a READ, skipping ranges stored or queued recently.</summary>
    private void SendPredicted(NativeBuffer buffer, Item item)
    {
        int count;
        try
        {
            count = Math.Min(_fileSystem.PredictStores(item.Node, item.Offset, _predicted), _predicted.Length);
        }
        catch (Exception ex)
        {
            _session.Statistics.CountStoreFailure();
            _session.Options.Log?.Invoke($"fuse: predicting stores after node {item.Node} threw {ex.GetType().Name}: {ex.Message}");
            return;
        }

        for (int i = 0; i < count; i++)
        {
            FuseStoreRange range = _predicted[i];
            if (range.Length <= 0 || range.Offset < 0 || range.Node == 0)
            {
                continue;
            }

            lock (_ring)
            {
                if (_stopping)
                {
                    return;
                }

                if (!MarkRecent(range.Node, range.Offset))
                {
                    continue;
                }
            }

            Send(buffer, new Item(range.Node, range.Offset, Math.Min(range.Length, _maxBytes), Predict: false));
        }
    }

    private void Send(NativeBuffer buffer, Item item)
    {
        Span<byte> data = buffer.Span.Slice(HeaderBytes, item.Length);
        int length;
        try
        {
            length = _fileSystem.ReadForStore(item.Node, item.Offset, data);
        }
        catch (Exception ex)
        {
            _session.Statistics.CountStoreFailure();
            _session.Options.Log?.Invoke($"fuse: reading node {item.Node} for a page-cache store threw {ex.GetType().Name}: {ex.Message}");
            return;
        }

        if (length <= 0)
        {
            return;
        }

        length = Math.Min(length, item.Length);
        Span<byte> header = buffer.Span[..HeaderBytes];
        ref FuseOutHeader outHeader = ref MemoryMarshal.AsRef<FuseOutHeader>(header);
        outHeader.Length = (uint)(HeaderBytes + length);
        outHeader.Error = (int)FuseNotifyCode.Store;
        outHeader.Unique = 0;
        ref FuseNotifyStoreOut store = ref MemoryMarshal.AsRef<FuseNotifyStoreOut>(header[FuseOutHeader.Size..]);
        store.NodeId = item.Node;
        store.Offset = (ulong)item.Offset;
        store.Length = (uint)length;
        store.Padding = 0;
        int status = FuseDevice.Write(_fd, buffer, HeaderBytes + length);
        if (status == 0)
        {
            _session.Statistics.CountStoreSent();
        }
        else if (status != -Errno.ENOENT)
        {
            // ENOENT: the kernel no longer has the inode cached, so there is nothing to fill. Normal.
            _session.Statistics.CountStoreFailure();
        }
    }

    /// <summary>A store of a range, or (Predict) a call of PredictStores for a READ of Node at Offset.</summary>
    private readonly record struct Item(ulong Node, long Offset, int Length, bool Predict)
    {
        /// <summary>The recent table's key: predictions never collide with stores (offsets are never negative).</summary>
        public long RecentKey => Predict ? ~Offset : Offset;
    }
}
