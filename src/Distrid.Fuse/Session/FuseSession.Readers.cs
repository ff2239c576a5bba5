using System.Runtime.InteropServices;
using Distrid.Fuse.Interop;
using Distrid.Fuse.Protocol;

namespace Distrid.Fuse.Session;

// The reader threads: read one request, dispatch it, write one reply on the same descriptor.
public sealed partial class FuseSession
{
    /// <summary>Bytes the reader threads allocated on the managed heap since they started (should stay flat).</summary>
    internal long ReaderAllocatedBytes
    {
        get
        {
            long total = 0;
            foreach (Reader reader in _readers)
            {
                total += Volatile.Read(ref reader.AllocatedBytes);
            }

            return total;
        }
    }

    /// <summary>
    /// Test hook that imitates a daemon dying mid-request: each reader exits after its next read, dropping that
    /// request unanswered (a successor's NOTIFY_RESEND brings it back).
    /// </summary>
    internal void AbandonForTest() => Volatile.Write(ref _abandoned, true);

    /// <summary>
    /// Hands the connection to a successor process: the readers stop taking requests (each drops the one it reads
    /// next, unanswered; the successor's NOTIFY_RESEND brings it back), this waits until no reader is in the middle
    /// of a request (at most <paramref name="timeout"/>), and the mount stays. Returns false on a timeout. The caller
    /// then exits; the connection lives on in the descriptor systemd keeps in its fd store.
    /// </summary>
    public bool Detach(TimeSpan timeout)
    {
        Mount.LeaveMountedOnDispose = true;
        if (_usesIoUring)
        {
            Options.Log?.Invoke("fuse: handing over a connection that uses io_uring; requests in its ring entries are lost");
        }

        Volatile.Write(ref _abandoned, true);
        Interlocked.MemoryBarrier();
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (Volatile.Read(ref _dispatching) > 0)
        {
            if (waited.Elapsed > timeout)
            {
                return false;
            }

            Thread.Sleep(1);
        }

        return true;
    }

    private void StartReaders()
    {
        int count = Math.Max(1, Options.ReaderThreads);
        try
        {
            for (int i = 0; i < count; i++)
            {
                // The first reader uses the mount's descriptor; the others get clones with their own queues (unless
                // the connection is handed over, see FuseSessionOptions.CloneReaderDescriptors).
                int fd = i == 0 || !Options.CloneReaderDescriptors ? Mount.DeviceFd : FuseDevice.Clone(Mount.DeviceFd);
                _readers.Add(new Reader(fd, i));
            }
        }
        catch
        {
            foreach (Reader reader in _readers)
            {
                if (reader.Fd != Mount.DeviceFd)
                {
                    FuseDevice.Close(reader.Fd);
                }
            }

            throw;
        }

        StartStoreQueue();

        _runningReaders = _readers.Count;
        foreach (Reader reader in _readers)
        {
            var thread = new Thread(ReaderMain) { IsBackground = true, Name = $"fuse-reader-{reader.Index}" };
            thread.Start(reader);
        }
    }

    /// <summary>The page-cache store thread, on its own cloned descriptor; without one, stores stay off.</summary>
    private void StartStoreQueue()
    {
        if (Options.StoreQueueLength <= 0)
        {
            return;
        }

        int fd;
        try
        {
            fd = FuseDevice.Clone(Mount.DeviceFd);
        }
        catch (FuseException ex)
        {
            Options.Log?.Invoke($"fuse: no page-cache stores: {ex.Message}");
            return;
        }

        _storeQueue = new NotifyStoreQueue(this, _fileSystem, fd, Options.StoreQueueLength, Math.Max(4096, Options.MaxStoreBytes));
    }

    private void ReaderMain(object? state)
    {
        var reader = (Reader)state!;
        try
        {
            using var request = new NativeBuffer(BufferSize);
            using var reply = new NativeBuffer(BufferSize);
            long baseline = GC.GetAllocatedBytesForCurrentThread();
            while (true)
            {
                int length = FuseDevice.Read(reader.Fd, request);

                // Counted before the check (both full fences), so Detach either sees this reader busy or the reader
                // sees the flag: no request is dispatched after Detach returned.
                Interlocked.Increment(ref _dispatching);
                try
                {
                    if (length == 0 || Volatile.Read(ref _abandoned))
                    {
                        // End of stream, or a handover (Detach) or simulated crash that drops the request just read.
                        break;
                    }

                    if (length < 0)
                    {
                        int errno = -length;
                        if (errno is Errno.ENOENT or Errno.EINTR or Errno.EAGAIN)
                        {
                            continue;
                        }

                        if (errno != Errno.ENODEV)
                        {
                            Options.Log?.Invoke($"fuse: read on reader {reader.Index} failed with errno {errno}; stopping it");
                        }

                        break;
                    }

                    Dispatch(request.Span[..length], reply.Span[FuseOutHeader.Size..], reader.Fd, reply, ring: null);
                }
                finally
                {
                    Interlocked.Decrement(ref _dispatching);
                }

                Volatile.Write(ref reader.AllocatedBytes, GC.GetAllocatedBytesForCurrentThread() - baseline);
            }
        }
        catch (Exception ex)
        {
            Options.Log?.Invoke($"fuse: reader {reader.Index} crashed: {ex}");
        }
        finally
        {
            OnWorkerExited();
        }
    }

    /// <summary>
    /// The one dispatch of every request, whichever transport brought it: checks, counts, calls the handler and
    /// replies. <paramref name="replyPayload"/> is where the handler writes its reply: the reply buffer after the out
    /// header for /dev/fuse, the ring entry's payload buffer for io_uring (<paramref name="ring"/> then commits).
    /// </summary>
    internal void Dispatch(ReadOnlySpan<byte> message, Span<byte> replyPayload, int fd, NativeBuffer reply, FuseUringWorker? ring)
    {
        if (message.Length < FuseInHeader.Size)
        {
            // Not even a header: there is no unique to answer.
            Statistics.CountMalformedRequest();
            return;
        }

        FuseInHeader header = MemoryMarshal.Read<FuseInHeader>(message);
        Statistics.CountRequest(header.Opcode);
        var request = new RequestContext
        {
            Session = this,
            FileSystem = _fileSystem,
            Header = header,
            Reply = replyPayload,
            Fd = fd,
            ReplyBuffer = reply,
            Ring = ring,
        };

        int bodyLength = message.Length - FuseInHeader.Size - (header.TotalExtLength * 8);
        ref readonly OpcodeEntry entry = ref OpcodeTable.Get(header.Opcode);
        int result;
        if (header.Length != message.Length || bodyLength < entry.MinimumBodySize)
        {
            Statistics.CountMalformedRequest();
            result = -Errno.EIO;
        }
        else if (entry.Handler is null)
        {
            result = -Errno.ENOSYS;
        }
        else
        {
            request.Body = message.Slice(FuseInHeader.Size, bodyLength);
            try
            {
                result = entry.Handler(ref request);
            }
            catch (Exception ex)
            {
                Statistics.CountHandlerFailure();
                Options.Log?.Invoke($"fuse: {entry.Name} on node {header.NodeId} threw {ex.GetType().Name}: {ex.Message}");
                result = -Errno.EIO;
            }
        }

        if (result != OpcodeTable.NoReply)
        {
            SendReply(ref request, result);
        }
    }

    /// <summary>
    /// Writes the out header in front of the payload already in the reply buffer and sends both with one
    /// writev on the descriptor the request came from. Returns 0 or a negative errno.
    /// </summary>
    internal int SendReply(ref RequestContext request, int result)
    {
        int payload = Math.Max(result, 0);
        int error = result >= 0 ? 0 : result > -512 ? result : -Errno.EIO;
        if (request.Ring is { } ring)
        {
            // The payload is already in the ring entry's buffer; the worker commits it with its next io_uring_enter.
            return ring.SetReply(request.Header.Unique, error, payload);
        }

        Span<byte> headerSpace = request.ReplyBuffer.Span[..FuseOutHeader.Size];
        ref FuseOutHeader header = ref MemoryMarshal.AsRef<FuseOutHeader>(headerSpace);
        header.Length = (uint)(FuseOutHeader.Size + payload);
        header.Error = error;
        header.Unique = request.Header.Unique;
        int status = FuseDevice.Write(request.Fd, request.ReplyBuffer, FuseOutHeader.Size + payload);
        if (status == -Errno.ENOENT)
        {
            // The request was interrupted and is gone: normal.
            Statistics.CountInterruptedReply();
        }
        else if (status != 0)
        {
            Statistics.CountReplyFailure();
            Options.Log?.Invoke($"fuse: reply to {OpcodeTable.NameOf(request.Header.Opcode)} failed with errno {-status}");
        }

        return status;
    }

    /// <summary>One reader thread's descriptor and counters.</summary>
    private sealed class Reader(int fd, int index)
    {
        public long AllocatedBytes;

        public int Fd { get; } = fd;

        public int Index { get; } = index;
    }
}
