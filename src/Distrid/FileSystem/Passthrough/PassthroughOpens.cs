using System.Collections.Concurrent;
using Distrid.Fuse.Protocol;
using Distrid.Fuse.Session;

namespace Distrid.FileSystem.Passthrough;

/// <summary>
/// Decides, per OPEN of a /ro file, whether the kernel reads it through the daemon (cached mode: READ requests, the
/// page cache kept) or straight from its decompressed copy in the <see cref="PassthroughCache"/> (FOPEN_PASSTHROUGH
/// with a backing id). The kernel fails an open with EIO when its mode conflicts with files of the same inode that
/// are still open (fs/fuse/iomode.c), so every file at or above the cache's size threshold is counted: a node
/// switches to passthrough only while none of its cached opens is outstanding, and stays there while any
/// passthrough open is. The kernel drops an open's mode before it sends RELEASE, so these counts are never below
/// the kernel's. Opens of smaller files are not counted and always cached.
/// </summary>
internal sealed class PassthroughOpens(PassthroughCache cache, Action<string> log) : IDisposable
{
    /// <summary>File handles: which count an open is in.</summary>
    private const ulong UntrackedHandle = 0;
    private const ulong CachedHandle = 1;
    private const ulong PassthroughHandle = 2;

    private readonly ConcurrentDictionary<ulong, NodeState> _nodes = new();
    private FuseSession? _session;
    private PassthroughCacheWriter? _writer;
    private volatile bool _disabled;

    public PassthroughCache Cache => cache;

    /// <summary>Passthrough opens answered so far (the kernel read those files without READs to the daemon).</summary>
    public long PassthroughOpenCount => Interlocked.Read(ref _passthroughOpens);

    private long _passthroughOpens;

    /// <summary>
    /// True once OPEN should get ENOSYS (zero round trips per open from then on): the session did not negotiate
    /// passthrough, or the kernel refused a backing file. Before the session is attached opens are answered (cached),
    /// so an OPEN that races the attach does not turn OPEN off for good.
    /// </summary>
    public bool IsOff => _disabled || Volatile.Read(ref _session) is { PassthroughEnabled: false, InitResult: not null };

    public void Attach(FuseSession session, PassthroughCacheWriter writer)
    {
        Volatile.Write(ref _writer, writer);
        Volatile.Write(ref _session, session);
    }

    /// <summary>
    /// Answers OPEN of a regular file of <paramref name="length"/> bytes, SquashFS inode <paramref name="inodeNumber"/>
    /// of the image <paramref name="imageKey"/> names (null: this file is never cached). Allocates only the first time
    /// a node is seen (its state and entry name).
    /// </summary>
    public void Open(ulong node, string? imageKey, uint inodeNumber, long length, ref FuseOpenOut result)
    {
        if (imageKey is null || length < cache.MinFileBytes || length > cache.MaxBytes)
        {
            result.FileHandle = UntrackedHandle;
            result.OpenFlags = FuseOpenOut.KeepCache | FuseOpenOut.NoFlush;
            return;
        }

        var state = _nodes.GetOrAdd(
            node,
            static (_, file) => new NodeState(PassthroughCache.EntryName(file.Key, file.Inode), file.Length),
            (Key: imageKey, Inode: inodeNumber, Length: length));
        lock (state.Gate)
        {
            if (state.BackingId == 0 && state.CachedOpens == 0 && !_disabled)
            {
                TryAttachBacking(state);
            }

            if (state.BackingId > 0 && state.CachedOpens == 0)
            {
                state.PassthroughOpens++;
                Volatile.Write(ref state.Entry!.LastUse, Environment.TickCount64);
                Interlocked.Increment(ref _passthroughOpens);
                result.FileHandle = PassthroughHandle;
                result.OpenFlags = FuseOpenOut.Passthrough | FuseOpenOut.NoFlush;
                result.BackingId = state.BackingId;
            }
            else
            {
                state.CachedOpens++;
                result.FileHandle = CachedHandle;
                result.OpenFlags = FuseOpenOut.KeepCache | FuseOpenOut.NoFlush;
            }
        }
    }

    /// <summary>RELEASE: one open of <paramref name="node"/> ended (the kernel has already dropped its mode).</summary>
    public void Release(ulong node, ulong fileHandle)
    {
        if (fileHandle == UntrackedHandle || !_nodes.TryGetValue(node, out var state))
        {
            return;
        }

        lock (state.Gate)
        {
            if (fileHandle == CachedHandle && state.CachedOpens > 0)
            {
                state.CachedOpens--;
            }
            else if (fileHandle == PassthroughHandle && state.PassthroughOpens > 0)
            {
                state.PassthroughOpens--;
                if (state.PassthroughOpens == 0 && state.Entry is { Evicted: true })
                {
                    DropBacking(state);
                }
            }
        }
    }

    /// <summary>
    /// A READ reached the daemon for <paramref name="node"/>: if it is a file worth caching and not cached yet, the
    /// writer copies it in the background. No allocation, no lock unless the node is queued now.
    /// </summary>
    public void NoteRead(ulong node)
    {
        if (!_disabled && _nodes.TryGetValue(node, out var state) && Volatile.Read(ref state.Queued) == 0 && state.Entry is null
            && Volatile.Read(ref _writer) is { } writer && Interlocked.CompareExchange(ref state.Queued, 1, 0) == 0)
        {
            writer.Enqueue(node);
        }
    }

    /// <summary>The state the writer needs for <paramref name="node"/>: its entry name and length.</summary>
    public bool TryGetFile(ulong node, out string name, out long length)
    {
        if (_nodes.TryGetValue(node, out var state))
        {
            (name, length) = (state.Name, state.Length);
            return true;
        }

        (name, length) = (string.Empty, 0);
        return false;
    }

    /// <summary>The writer could not cache <paramref name="node"/> (this daemon's life): it is not queued again.</summary>
    public void MarkFailed(ulong node)
    {
        if (_nodes.TryGetValue(node, out var state))
        {
            Volatile.Write(ref state.Queued, 2);
        }
    }

    /// <summary>Entries the cache evicted: nodes that use them drop their backing ids once no passthrough open is left.</summary>
    public void OnEvicted(IEnumerable<CacheEntry> evicted)
    {
        var names = evicted.Select(e => e.Name).ToHashSet(StringComparer.Ordinal);
        if (names.Count == 0)
        {
            return;
        }

        foreach (var state in _nodes.Values)
        {
            if (!names.Contains(state.Name))
            {
                continue;
            }

            lock (state.Gate)
            {
                if (state.PassthroughOpens == 0)
                {
                    DropBacking(state);
                }

                Volatile.Write(ref state.Queued, 0);
            }
        }
    }

    /// <summary>Registers the node's cache file as a backing file; the caller holds the node's gate.</summary>
    private void TryAttachBacking(NodeState state)
    {
        var entry = state.Entry is { Evicted: false } known ? known : cache.Find(state.Name);
        if (entry is null || Volatile.Read(ref _session) is not { PassthroughEnabled: true } session)
        {
            return;
        }

        using var file = cache.OpenVerified(entry, state.Length);
        if (file is null)
        {
            state.Entry = null;
            Volatile.Write(ref state.Queued, 0);
            return;
        }

        int id = session.OpenBackingFile((int)file.DangerousGetHandle());
        if (id <= 0)
        {
            // EPERM (no CAP_SYS_ADMIN), ELOOP (the cache lies on an overlay), ENOTTY (old kernel): the same for every
            // file, so passthrough stops for this connection and opens stay cached.
            _disabled = true;
            log($"passthrough: the kernel refused the cache file {entry.Path} as a backing file (errno {-id}); " +
                "/ro reads go through the daemon");
            return;
        }

        state.Entry = entry;
        state.BackingId = id;
    }

    private void DropBacking(NodeState state)
    {
        if (state.BackingId > 0 && Volatile.Read(ref _session) is { } session)
        {
            session.CloseBackingFile(state.BackingId);
        }

        state.BackingId = 0;
        state.Entry = null;
    }

    public void Dispose()
    {
        // Backing ids die with the connection; nothing to do unless the session outlives this object.
        foreach (var state in _nodes.Values)
        {
            lock (state.Gate)
            {
                if (state.PassthroughOpens == 0)
                {
                    DropBacking(state);
                }
            }
        }
    }

    private sealed class NodeState(string name, long length)
    {
        public readonly Lock Gate = new();
        public readonly string Name = name;
        public readonly long Length = length;
        public int CachedOpens;
        public int PassthroughOpens;
        public int BackingId;
        public CacheEntry? Entry;

        /// <summary>0: not queued for the writer; 1: queued or written; 2: failed.</summary>
        public int Queued;
    }
}
