using Distrid.Fuse.Protocol;

namespace Distrid.Fuse.FileSystem;

/// <summary>
/// What a read-only file system implements to be served by a <see cref="Session.FuseSession"/>. Methods are
/// called concurrently from several dedicated reader threads (one request per call) and must be thread-safe.
/// <para>
/// Conventions: node ids are the kernel's (1 = root). Methods return 0 (or a non-negative byte count where
/// stated) on success and a <b>negative</b> errno (<c>-Errno.ENOENT</c>) on failure. Output structs and spans
/// point into the reply buffer itself, are zeroed before the call, and must not be kept after it returns; an
/// implementation that writes into them allocates nothing. An exception thrown by a method becomes EIO for that
/// request and never stops the session.
/// </para>
/// <para>
/// Never block a method on something that waits for this same mount (a lock held by a thread that is reading the
/// mount, or a notification about the node being handled): the kernel may be waiting for the very reply.
/// </para>
/// Optional operations have default implementations (ENOSYS or no-op).
/// </summary>
public interface IFuseFileSystem
{
    /// <summary>
    /// LOOKUP: resolves <paramref name="name"/> (raw bytes, no NUL) in directory <paramref name="parent"/>.
    /// On success fill <paramref name="entry"/> (NodeId, Generation, timeouts, Attr) and return 0; every
    /// successful lookup adds 1 to the node's lookup count, which <see cref="Forget"/> later subtracts.
    /// Return <c>-Errno.ENOENT</c> for a missing name: the session turns it into a <i>cached</i> negative entry
    /// using <c>entry.EntryTimeout</c> if the method set one, else <c>FuseSessionOptions.NegativeEntryTimeout</c>
    /// (invalidate it with <c>NotifyInvalidateEntry</c> when the name appears).
    /// </summary>
    int Lookup(ulong parent, ReadOnlySpan<byte> name, ref FuseEntryOut entry);

    /// <summary>FORGET/BATCH_FORGET: the kernel dropped <paramref name="lookups"/> references to the node.</summary>
    void Forget(ulong node, ulong lookups)
    {
    }

    /// <summary>GETATTR: fill <paramref name="attr"/> (attributes and timeout) and return 0.</summary>
    int GetAttr(ulong node, ref FuseAttrOut attr);

    /// <summary>READLINK: copy the target into <paramref name="destination"/>; return its length.</summary>
    int ReadLink(ulong node, Span<byte> destination) => -Errno.EINVAL;

    /// <summary>
    /// OPEN: by default ENOSYS, which makes the kernel stop sending OPEN/RELEASE for the whole connection and
    /// keep page caches (zero round trips). Opt in by returning 0 and filling <paramref name="result"/>.
    /// </summary>
    int Open(ulong node, int flags, ref FuseOpenOut result) => -Errno.ENOSYS;

    /// <summary>OPENDIR: like <see cref="Open"/>; ENOSYS by default (the kernel then caches directories).</summary>
    int OpenDirectory(ulong node, int flags, ref FuseOpenOut result) => -Errno.ENOSYS;

    /// <summary>
    /// READ: copy bytes of the file at <paramref name="offset"/> into <paramref name="destination"/> (exactly the
    /// requested size, at most 1 MiB) and return the count. Return fewer bytes only at end of file: a short read
    /// in the middle makes the kernel shrink the file's size. <paramref name="fileHandle"/> is 0 without Open.
    /// </summary>
    int Read(ulong node, ulong fileHandle, long offset, Span<byte> destination);

    /// <summary>
    /// Fills <paramref name="destination"/> for a page-cache store the file system asked for with
    /// <see cref="Session.FuseSession.QueueStore"/>; runs on the session's store thread, not a request handler.
    /// Same contract as <see cref="Read"/> (fewer bytes only at end of file); the pages go into the kernel's cache
    /// exactly as returned, so never return bytes past the end of the file (the kernel would grow its size).
    /// The default reads through <see cref="Read"/>; override it when Read itself queues stores.
    /// </summary>
    int ReadForStore(ulong node, long offset, Span<byte> destination) => Read(node, 0, offset, destination);

    /// <summary>
    /// Ranges of other files the kernel is likely to read next, now that <paramref name="node"/> was read at
    /// <paramref name="offset"/> (asked for with <see cref="Session.FuseSession.QueueStorePrediction"/>); runs on
    /// the store thread, which then stores each range read through <see cref="ReadForStore"/>. For example the
    /// small files that share a compressed block with the one just read. Returns how many it wrote; must not
    /// allocate. Default: none.
    /// </summary>
    int PredictStores(ulong node, long offset, Span<FuseStoreRange> ranges) => 0;

    /// <summary>
    /// READDIR/READDIRPLUS: add entries that come after cookie <paramref name="offset"/> (0 = start) until
    /// <see cref="FuseDirectoryWriter.TryAdd"/> reports it is full; each entry carries the cookie of the entry
    /// after it. Adding nothing means end of directory. Return 0 or a negative errno.
    /// </summary>
    int ReadDirectory(ulong node, ulong fileHandle, long offset, ref FuseDirectoryWriter writer);

    /// <summary>RELEASE: a handle returned by <see cref="Open"/> is closed.</summary>
    void Release(ulong node, ulong fileHandle)
    {
    }

    /// <summary>RELEASEDIR: a handle returned by <see cref="OpenDirectory"/> is closed.</summary>
    void ReleaseDirectory(ulong node, ulong fileHandle)
    {
    }

    /// <summary>STATFS: fill <paramref name="stat"/>; the default reports an empty file system.</summary>
    int StatFs(ulong node, ref FuseStatFs stat)
    {
        stat.BlockSize = 4096;
        stat.FragmentSize = 4096;
        stat.NameLength = 255;
        return 0;
    }

    /// <summary>
    /// When false the session answers GETXATTR/LISTXATTR with ENOSYS, so the kernel never asks again.
    /// Read once per request; keep it constant for the life of the mount.
    /// </summary>
    bool HasExtendedAttributes => false;

    /// <summary>
    /// GETXATTR: return the full length of the value of <paramref name="name"/> (e.g. "user.foo"), copying it
    /// into <paramref name="destination"/> only when it fits; or <c>-Errno.ENODATA</c>. The session handles the
    /// size probe and ERANGE.
    /// </summary>
    int GetExtendedAttribute(ulong node, ReadOnlySpan<byte> name, Span<byte> destination) => -Errno.ENODATA;

    /// <summary>
    /// LISTXATTR: return the full length of the NUL-terminated names, copying them into
    /// <paramref name="destination"/> only when they fit.
    /// </summary>
    int ListExtendedAttributes(ulong node, Span<byte> destination) => 0;

    /// <summary>
    /// ACCESS (only sent without default_permissions): 0 or a negative errno. The default grants reads and
    /// refuses writes with EROFS.
    /// </summary>
    int Access(ulong node, int mask) => (mask & 2) != 0 ? -Errno.EROFS : 0;

    /// <summary>DESTROY: the connection is being shut down (sent for fuseblk mounts only).</summary>
    void Destroy()
    {
    }
}
