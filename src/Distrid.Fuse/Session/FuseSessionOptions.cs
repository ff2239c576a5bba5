namespace Distrid.Fuse.Session;

/// <summary>Tuning of a <see cref="FuseSession"/>. The defaults suit a read-only file system of immutable data.</summary>
public sealed record FuseSessionOptions
{
    /// <summary>Dedicated reader threads, each on its own cloned /dev/fuse descriptor.</summary>
    public int ReaderThreads { get; init; } = Math.Clamp(Environment.ProcessorCount * 2, 2, 8);

    /// <summary>
    /// Give each reader after the first its own cloned descriptor (its own processing queue). Turn it off when the
    /// connection must survive this process (fd store hand-over): the kernel ends the requests a clone had read
    /// with ECONNABORTED when the clone is closed, while requests read on the stored master descriptor stay
    /// queued for a successor's NOTIFY_RESEND. All readers then share the master descriptor.
    /// </summary>
    public bool CloneReaderDescriptors { get; init; } = true;

    /// <summary>
    /// Ask for FUSE over io_uring when the kernel offers it (7.42+, module parameter fuse.enable_uring=Y). Off by
    /// default: measured against our /dev/fuse readers it did not win clearly (docs/PERFORMANCE.md). Requests
    /// then come through per-CPU rings (one io_uring_enter per request instead of a read and a writev). Any failure
    /// to set the rings up leaves the connection on /dev/fuse reads. Ignored (off) when
    /// <see cref="CloneReaderDescriptors"/> is off, i.e. for a connection a successor process may inherit: ring
    /// entries die with their process and the kernel does not resend what they held.
    /// </summary>
    public bool UseIoUring { get; init; }

    /// <summary>
    /// Ask for FUSE_PASSTHROUGH when the kernel offers it (7.40+, Linux 6.9+): the file system may then answer OPEN
    /// with <see cref="Protocol.FuseOpenOut.Passthrough"/> and a backing id from
    /// <see cref="FuseSession.OpenBackingFile"/>, and the kernel reads and maps that file itself. Off by default. A
    /// file system that answers OPEN with ENOSYS still turns OPEN off for the connection, passthrough or not. Like
    /// io_uring, not for a connection a successor may inherit: backing ids and the kernel's per-inode passthrough
    /// state outlive the process, and a successor that does not know them would answer an open in the wrong mode (the
    /// kernel fails it with EIO).
    /// </summary>
    public bool UsePassthrough { get; init; }

    /// <summary>Ring entries per CPU queue, each with its own thread, so a long READ does not hold up that CPU's next request.</summary>
    public int IoUringThreadsPerQueue { get; init; } = 2;

    /// <summary>Highest protocol minor this server speaks (the kernel's is used when lower).</summary>
    public uint MaxMinor { get; init; } = 45;

    /// <summary>Pages per READ (256 = 1 MiB).</summary>
    public ushort MaxPages { get; init; } = 256;

    /// <summary>Background requests (readahead, async reads) the kernel may have outstanding.</summary>
    public ushort MaxBackground { get; init; } = 64;

    public ushort CongestionThreshold { get; init; } = 48;

    /// <summary>Readahead in bytes; null = what the kernel offers (it may only be lowered).</summary>
    public uint? MaxReadahead { get; init; }

    /// <summary>
    /// Readahead in KiB written to the mount's bdi after INIT (root only; null leaves the kernel's value).
    /// 4096 with max_pages 256: a sequential reader's readahead window goes out as four 1 MiB READs at once,
    /// which the reader threads decompress in parallel (with 1024 only one READ was in flight, decoded on one
    /// core: fio's cold 1 MiB reads took 1.2-1.4x squashfuse_ll's time, with 4096 0.86x, same run and load).
    /// </summary>
    public int? ReadaheadKilobytes { get; init; } = 4096;

    /// <summary>
    /// How long the kernel caches a negative LOOKUP (ENOENT) when the file system sets no timeout itself.
    /// Zero sends a plain, uncached ENOENT. New names need <c>NotifyInvalidateEntry</c> to appear sooner.
    /// </summary>
    public TimeSpan NegativeEntryTimeout { get; init; } = TimeSpan.FromHours(1);

    /// <summary>
    /// Page-cache stores (<see cref="FuseSession.QueueStore"/>) that may wait for the store thread; more are
    /// dropped. 0 disables stores (QueueStore then returns false and no store thread runs).
    /// </summary>
    public int StoreQueueLength { get; init; } = 64;

    /// <summary>Largest single page-cache store in bytes (longer ranges are cut); also the store thread's buffer.</summary>
    public int MaxStoreBytes { get; init; } = 1024 * 1024;

    /// <summary>How long Dispose waits for readers after unmounting before it aborts the connection.</summary>
    public TimeSpan ShutdownTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Receives errors that cannot be returned to anyone (a handler threw, a reply write failed).</summary>
    public Action<string>? Log { get; init; }
}
