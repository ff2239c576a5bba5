using Distrid.Fuse.FileSystem;
using Distrid.Fuse.Interop;
using Distrid.Fuse.Mounting;
using Distrid.Fuse.Protocol;

namespace Distrid.Fuse.Session;

/// <summary>
/// Serves one FUSE connection: dedicated reader threads (never the thread pool), each with its own cloned
/// /dev/fuse descriptor and preallocated native buffers, dispatching through <see cref="OpcodeTable"/> to an
/// <see cref="IFuseFileSystem"/>. The session owns the <see cref="FuseMount"/> and disposes it.
/// </summary>
public sealed partial class FuseSession : IDisposable
{
    /// <summary>Request and reply buffers: 1 MiB of payload (max_pages 256) plus room for headers.</summary>
    internal const int BufferSize = (1024 * 1024) + 4096;

    private readonly IFuseFileSystem _fileSystem;
    private readonly TaskCompletionSource<FuseInitResult> _initialized = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly List<Reader> _readers = [];
    private NotifyStoreQueue? _storeQueue;
    private FuseInitResult _initResult;
    private volatile bool _isInitialized;
    private int _runningReaders;
    private int _disposed;
    private bool _abandoned;
    private int _dispatching;

    private FuseSession(FuseMount mount, IFuseFileSystem fileSystem, FuseSessionOptions options)
    {
        Mount = mount;
        _fileSystem = fileSystem;
        Options = options;
    }

    /// <summary>The mount this session serves (owned: disposed with the session).</summary>
    public FuseMount Mount { get; }

    public FuseSessionOptions Options { get; }

    /// <summary>Request counters per opcode and error counters.</summary>
    public FuseRequestCounters Statistics { get; } = new();

    /// <summary>Completes once INIT has been answered (at once for a resumed session).</summary>
    public Task<FuseInitResult> Initialized => _initialized.Task;

    /// <summary>The negotiated protocol, or null before INIT. Persist it to hand the connection over.</summary>
    public FuseInitResult? InitResult => _isInitialized ? _initResult : null;

    /// <summary>Completes when every reader thread has exited (unmounted, aborted, or disposed).</summary>
    public Task Completion => _completion.Task;

    /// <summary>
    /// Starts serving a freshly mounted connection. Await <see cref="Initialized"/> before using the mount from
    /// this process when you need to be sure INIT is done (the kernel queues requests until then anyway).
    /// </summary>
    public static FuseSession Start(FuseMount mount, IFuseFileSystem fileSystem, FuseSessionOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(mount);
        ArgumentNullException.ThrowIfNull(fileSystem);
        var session = new FuseSession(mount, fileSystem, options ?? new FuseSessionOptions());
        session.StartReadersOrDisposeMount();
        return session;
    }

    /// <summary>
    /// Continues a connection a predecessor negotiated (the descriptor came from systemd's fd store or a
    /// parent): no INIT will come, so <paramref name="negotiated"/> stands in for it. Sends NOTIFY_RESEND so
    /// requests the predecessor read but never answered are queued again.
    /// </summary>
    public static FuseSession Resume(FuseMount mount, IFuseFileSystem fileSystem, FuseInitResult negotiated, FuseSessionOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(mount);
        ArgumentNullException.ThrowIfNull(fileSystem);
        var session = new FuseSession(mount, fileSystem, options ?? new FuseSessionOptions());
        session._initResult = negotiated;
        session._isInitialized = true;
        session._initialized.TrySetResult(negotiated);
        session.StartReadersOrDisposeMount();
        if ((negotiated.Flags & FuseInitFlags.OverIoUring) != 0)
        {
            // The predecessor's rings died with it and the kernel keeps sending to the queues: new entries are a must.
            session.ReleaseUring(session.TryPrepareUring());
        }

        if (negotiated.SupportsResend)
        {
            session.NotifyResend();
        }

        return session;
    }

    /// <summary>
    /// Unmounts (lazily), waits for the readers to see the connection end, aborts the connection if they do not
    /// within <see cref="FuseSessionOptions.ShutdownTimeout"/>, and closes the descriptors. When the mount has
    /// <see cref="FuseMount.LeaveMountedOnDispose"/> (handover), nothing is unmounted or aborted: the process is
    /// expected to exit and leave the connection to its successor.
    /// </summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _storeQueue?.Dispose();
        if (Mount.LeaveMountedOnDispose)
        {
            return;
        }

        try
        {
            Mount.Unmount();
        }
        catch (FuseException ex)
        {
            Options.Log?.Invoke($"fuse: unmount failed: {ex.Message}");
        }

        if (!_completion.Task.Wait(Options.ShutdownTimeout))
        {
            Mount.AbortConnection();
            if (!_completion.Task.Wait(Options.ShutdownTimeout))
            {
                Options.Log?.Invoke("fuse: reader threads did not stop; leaving their descriptors open");
                return;
            }
        }

        foreach (Reader reader in _readers)
        {
            if (reader.Fd != Mount.DeviceFd)
            {
                FuseDevice.Close(reader.Fd);
            }
        }

        Mount.Dispose();
    }

    private void StartReadersOrDisposeMount()
    {
        try
        {
            StartReaders();
        }
        catch
        {
            Mount.Dispose();
            throw;
        }
    }

    internal void OnInitialized(FuseInitResult result, int replyStatus)
    {
        ReleaseUring(replyStatus == 0 && (result.Flags & FuseInitFlags.OverIoUring) != 0);
        if (replyStatus != 0)
        {
            _initialized.TrySetException(new FuseException(-replyStatus, "reply to INIT"));
            return;
        }

        _initResult = result;
        _isInitialized = true;
        if (Options.ReadaheadKilobytes is int readahead && !Mount.TrySetReadahead(readahead))
        {
            Options.Log?.Invoke($"fuse: could not set readahead to {readahead} KiB");
        }

        _initialized.TrySetResult(result);
    }
}
