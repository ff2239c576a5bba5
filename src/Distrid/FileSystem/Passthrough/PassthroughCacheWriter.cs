namespace Distrid.FileSystem.Passthrough;

/// <summary>Reads a /ro file's bytes at an offset, like a READ (fewer only at end of file); a negative errno on failure.</summary>
internal delegate int FileReader(ulong node, long offset, Span<byte> destination);

/// <summary>
/// Copies /ro files that were read into the <see cref="PassthroughCache"/>, one at a time on its own thread at the
/// lowest CPU and I/O priority, so that later opens of them can be passthrough opens. Each file is written to a
/// temporary name, stamped, fsynced and only then renamed to its entry name: a crash leaves a temporary file (deleted
/// at the next start), never a torn entry. Requests never wait for it: a full queue drops the file, and any failure
/// (a full disk, a vanished image) leaves it to the READ path with one log line.
/// </summary>
internal sealed class PassthroughCacheWriter : IDisposable
{
    private const int QueueLength = 1024;
    private const int ChunkBytes = 1024 * 1024;

    private readonly PassthroughCache _cache;
    private readonly PassthroughOpens _opens;
    private readonly FileReader _read;
    private readonly Action<string> _log;
    private readonly Queue<ulong> _queue = new(QueueLength);
    private readonly SemaphoreSlim _signal = new(0);
    private readonly CancellationTokenSource _stop = new();
    private readonly Thread _thread;
    private int _pending;
    private long _written;
    private long _failed;
    private bool _stampUnsupported;
    private int _disposed;

    public PassthroughCacheWriter(PassthroughCache cache, PassthroughOpens opens, FileReader read, Action<string> log)
    {
        _cache = cache;
        _opens = opens;
        _read = read;
        _log = log;
        _thread = new Thread(Run) { IsBackground = true, Name = "passthrough-cache" };
        _thread.Start();
    }

    /// <summary>Files written into the cache so far.</summary>
    public long Written => Interlocked.Read(ref _written);

    /// <summary>Files that could not be written.</summary>
    public long Failed => Interlocked.Read(ref _failed);

    /// <summary>Files queued or being written.</summary>
    public int Pending => Volatile.Read(ref _pending);

    /// <summary>Queues a node; never blocks (a full queue drops it, and its next READ after a restart queues it again).</summary>
    public void Enqueue(ulong node)
    {
        lock (_queue)
        {
            if (_queue.Count >= QueueLength || _stampUnsupported)
            {
                return;
            }

            _queue.Enqueue(node);
            Interlocked.Increment(ref _pending);
        }

        _signal.Release();
    }

    private void Run()
    {
        CacheFileCalls.LowerCurrentThreadPriority();
        byte[] buffer = GC.AllocateUninitializedArray<byte>(ChunkBytes);
        while (true)
        {
            try
            {
                _signal.Wait(_stop.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            ulong node;
            lock (_queue)
            {
                node = _queue.Dequeue();
            }

            try
            {
                if (!Write(node, buffer))
                {
                    Interlocked.Increment(ref _failed);
                    _opens.MarkFailed(node);
                }
            }
            finally
            {
                Interlocked.Decrement(ref _pending);
            }
        }
    }

    private bool Write(ulong node, byte[] buffer)
    {
        if (!_opens.TryGetFile(node, out string name, out long length) || _cache.Find(name) is not null)
        {
            return true;
        }

        var evicted = _cache.MakeRoom(length);
        if (evicted is null)
        {
            return false;
        }

        _opens.OnEvicted(evicted);
        string temporary = _cache.TemporaryPath(name);
        string? problem = null;
        try
        {
            using (var file = File.OpenHandle(temporary, FileMode.Create, FileAccess.Write, FileShare.None, FileOptions.None, length))
            {
                long offset = 0;
                while (offset < length)
                {
                    int want = (int)Math.Min(buffer.Length, length - offset);
                    int read = _read(node, offset, buffer.AsSpan(0, want));
                    if (read != want)
                    {
                        problem = read < 0 ? $"reading it failed (errno {-read})" : $"it ended at {offset + Math.Max(read, 0)} of {length} bytes";
                        break;
                    }

                    RandomAccess.Write(file, buffer.AsSpan(0, read), offset);
                    offset += read;
                }

                if (problem is null)
                {
                    int error = CacheFileCalls.SetStamp(file, PassthroughCache.Stamp(name, length));
                    if (error != 0)
                    {
                        problem = $"cannot set its stamp (errno {error})";
                        lock (_queue)
                        {
                            // ENOTSUP, EPERM: the same for every file on this file system; stop trying.
                            _stampUnsupported = true;
                        }
                    }
                    else
                    {
                        RandomAccess.FlushToDisk(file);
                    }
                }
            }

            if (problem is null)
            {
                File.Move(temporary, Path.Combine(_cache.Directory, name), overwrite: true);
                _cache.Add(name, length);
                Interlocked.Increment(ref _written);
                return true;
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            problem = e.Message;
        }

        _log($"passthrough cache: cannot cache {name} ({problem}); its reads go through the daemon");
        try
        {
            File.Delete(temporary);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Deleted at the next start (a temporary name is never served).
        }

        return false;
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _stop.Cancel();
        _thread.Join(TimeSpan.FromSeconds(10));
        _stop.Dispose();
    }
}
