using System.Runtime.InteropServices;
using Distrid.Fuse.FileSystem;
using Distrid.Fuse.Interop;
using Distrid.Fuse.Protocol;

namespace Distrid.Fuse.Session;

// Server-to-kernel notifications: unique = 0, error = the notification code, written on the mount's descriptor.
//
// Rules for callers: call from a thread that is not handling a request (never from inside an IFuseFileSystem
// method): the kernel may wait for that very request while it processes the notification. Calls are thread-safe
// and allocate nothing. Results: 0, -ENOENT (the kernel had nothing cached: fine), -ENOTCONN (no live
// connection), -ENOSYS (the kernel's protocol is too old), or another negative errno.
public sealed partial class FuseSession
{
    private const int MaxNameLength = 1024;

    /// <summary>
    /// Drops the kernel's cached dentry for <paramref name="name"/> in <paramref name="parent"/>, positive or
    /// negative, so the next access looks it up again. For a new name in a listed directory also call
    /// <see cref="NotifyInvalidateInode"/>(parent, 0, 0) to drop the cached listing.
    /// </summary>
    public int NotifyInvalidateEntry(ulong parent, ReadOnlySpan<byte> name)
    {
        if (name.IsEmpty || name.Length > MaxNameLength)
        {
            return -Errno.EINVAL;
        }

        Span<byte> message = stackalloc byte[FuseOutHeader.Size + FuseNotifyInvalEntryOut.Size];
        WriteNotifyHeader(message, FuseNotifyCode.InvalidateEntry, message.Length + name.Length + 1);
        ref FuseNotifyInvalEntryOut body = ref MemoryMarshal.AsRef<FuseNotifyInvalEntryOut>(message[FuseOutHeader.Size..]);
        body.Parent = parent;
        body.NameLength = (uint)name.Length;
        body.Flags = 0;
        return SendNotification(message, name, "\0"u8, minimumMinor: 12);
    }

    /// <summary>
    /// Invalidates cached data of <paramref name="node"/>: <paramref name="offset"/> &lt; 0 drops only the
    /// attributes; (0, 0) drops attributes, all pages and the readdir cache; otherwise the page range.
    /// </summary>
    public int NotifyInvalidateInode(ulong node, long offset = 0, long length = 0)
    {
        Span<byte> message = stackalloc byte[FuseOutHeader.Size + FuseNotifyInvalInodeOut.Size];
        WriteNotifyHeader(message, FuseNotifyCode.InvalidateInode, message.Length);
        ref FuseNotifyInvalInodeOut body = ref MemoryMarshal.AsRef<FuseNotifyInvalInodeOut>(message[FuseOutHeader.Size..]);
        body.NodeId = node;
        body.Offset = offset;
        body.Length = length;
        return SendNotification(message, default, default, minimumMinor: 12);
    }

    /// <summary>Tells the kernel that <paramref name="name"/> (node <paramref name="child"/>) left <paramref name="parent"/>.</summary>
    public int NotifyDelete(ulong parent, ulong child, ReadOnlySpan<byte> name)
    {
        if (name.IsEmpty || name.Length > MaxNameLength)
        {
            return -Errno.EINVAL;
        }

        Span<byte> message = stackalloc byte[FuseOutHeader.Size + FuseNotifyDeleteOut.Size];
        WriteNotifyHeader(message, FuseNotifyCode.Delete, message.Length + name.Length + 1);
        ref FuseNotifyDeleteOut body = ref MemoryMarshal.AsRef<FuseNotifyDeleteOut>(message[FuseOutHeader.Size..]);
        body.Parent = parent;
        body.Child = child;
        body.NameLength = (uint)name.Length;
        body.Padding = 0;
        return SendNotification(message, name, "\0"u8, minimumMinor: 18);
    }

    /// <summary>
    /// NOTIFY_RESEND (7.40): the kernel queues again every request that was read but not answered, e.g. by a
    /// predecessor daemon. Resent requests carry bit 63 in their unique, which replies echo unchanged.
    /// </summary>
    public int NotifyResend()
    {
        Span<byte> message = stackalloc byte[FuseOutHeader.Size];
        WriteNotifyHeader(message, FuseNotifyCode.Resend, message.Length);
        return SendNotification(message, default, default, minimumMinor: 40);
    }

    /// <summary>
    /// NOTIFY_STORE, synchronously: puts <paramref name="data"/> into the page cache of file <paramref name="node"/>
    /// at <paramref name="offset"/>. It locks those pages, so it waits for any READ in flight on them: never call
    /// it from a request handler (use <see cref="QueueStore"/>). The kernel grows the file's size to
    /// offset + length if that is larger, so never store past the end of the file.
    /// </summary>
    public int NotifyStore(ulong node, long offset, ReadOnlySpan<byte> data)
    {
        if (offset < 0)
        {
            return -Errno.EINVAL;
        }

        Span<byte> message = stackalloc byte[FuseOutHeader.Size + FuseNotifyStoreOut.Size];
        WriteNotifyHeader(message, FuseNotifyCode.Store, message.Length + data.Length);
        ref FuseNotifyStoreOut body = ref MemoryMarshal.AsRef<FuseNotifyStoreOut>(message[FuseOutHeader.Size..]);
        body.NodeId = node;
        body.Offset = (ulong)offset;
        body.Length = (uint)data.Length;
        return SendNotification(message, data, default, minimumMinor: 15);
    }

    /// <summary>
    /// Asks the session's store thread to push <paramref name="length"/> bytes of <paramref name="node"/> at
    /// <paramref name="offset"/> into the page cache (NOTIFY_STORE), reading them with
    /// <see cref="IFuseFileSystem.ReadForStore"/>. Safe from request handlers: it never blocks and allocates
    /// nothing. Returns false when stores are off, the queue is full (dropped), or the same range was queued
    /// recently. Offsets should be page-aligned; the data must end at a page boundary or at end of file.
    /// </summary>
    public bool QueueStore(ulong node, long offset, int length) =>
        _isInitialized && _storeQueue is { } queue && _initResult.Minor >= 15 && queue.TryQueue(node, offset, length);

    /// <summary>
    /// Asks the store thread to call <see cref="IFuseFileSystem.PredictStores"/> for <paramref name="node"/> and
    /// store what it names. Same rules as <see cref="QueueStore"/>: never blocks, allocates nothing, false when
    /// stores are off, the queue is full or the same prediction was queued recently.
    /// </summary>
    public bool QueueStorePrediction(ulong node, long offset) =>
        _isInitialized && _storeQueue is { } queue && _initResult.Minor >= 15 && queue.TryQueuePrediction(node, offset);

    /// <summary>Waits until queued stores are sent (tests and benchmarks); true when idle in time.</summary>
    internal bool WaitForStores(TimeSpan timeout) => _storeQueue?.WaitIdle(timeout) ?? true;

    private static void WriteNotifyHeader(Span<byte> message, FuseNotifyCode code, int totalLength)
    {
        message.Clear();
        ref FuseOutHeader header = ref MemoryMarshal.AsRef<FuseOutHeader>(message);
        header.Length = (uint)totalLength;
        header.Error = (int)code;
        header.Unique = 0;
    }

    private int SendNotification(ReadOnlySpan<byte> message, ReadOnlySpan<byte> name, ReadOnlySpan<byte> terminator, uint minimumMinor)
    {
        if (!_isInitialized || Volatile.Read(ref _disposed) != 0 || Mount.DeviceFd < 0)
        {
            return -Errno.ENOTCONN;
        }

        if (_initResult.Minor < minimumMinor)
        {
            return -Errno.ENOSYS;
        }

        return FuseDevice.Write(Mount.DeviceFd, message, name, terminator);
    }
}
