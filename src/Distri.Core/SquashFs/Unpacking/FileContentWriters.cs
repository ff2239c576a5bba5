using System.Collections.Concurrent;
using Distri.Core.SquashFs.Reading.Inodes;

namespace Distri.Core.SquashFs.Unpacking;

/// <summary>A regular file the walk has created (its descriptor open for writing) and whose bytes are still to come.</summary>
internal readonly record struct FileJob(int Descriptor, byte[] CPath, InodeAttributes Inode);

/// <summary>
/// Writes regular files' contents and attributes on worker threads, one file per worker at a time, while the walk
/// goes on creating entries: the image's blocks are decompressed on every core, as unsquashfs does. The queue is
/// bounded, so at most a few dozen files are open at once. The first failure of a worker stops the others and is
/// rethrown to the walk (by <see cref="Add"/> or <see cref="Complete"/>).
/// </summary>
internal sealed class FileContentWriters : IDisposable
{
    private const int QueuedFiles = 64;

    private readonly BlockingCollection<FileJob> _queue = new(QueuedFiles);
    private readonly Thread[] _workers;
    private readonly Action<FileJob, byte[]> _write;
    private readonly int _bufferSize;
    private Exception? _failure;

    public FileContentWriters(int workers, int bufferSize, Action<FileJob, byte[]> write)
    {
        _write = write;
        _bufferSize = bufferSize;
        _workers = new Thread[Math.Max(1, workers)];
        for (int i = 0; i < _workers.Length; i++)
        {
            _workers[i] = new Thread(Work) { IsBackground = true, Name = "unpack-writer" };
            _workers[i].Start();
        }
    }

    public void Add(FileJob job)
    {
        ThrowIfFailed();
        _queue.Add(job);
    }

    /// <summary>Waits until every queued file is written; rethrows a worker's failure.</summary>
    public void Complete()
    {
        _queue.CompleteAdding();
        foreach (var worker in _workers)
        {
            worker.Join();
        }

        ThrowIfFailed();
    }

    private void ThrowIfFailed()
    {
        if (Volatile.Read(ref _failure) is { } failure)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(failure);
        }
    }

    private void Work()
    {
        byte[] buffer = GC.AllocateUninitializedArray<byte>(_bufferSize);
        foreach (var job in _queue.GetConsumingEnumerable())
        {
            if (Volatile.Read(ref _failure) is not null)
            {
                // Stopping: the walk will throw; only close what was handed over.
                _ = Tmds.Linux.LibC.close(job.Descriptor);
                continue;
            }

            try
            {
                _write(job, buffer);
            }
            catch (Exception e)
            {
                Interlocked.CompareExchange(ref _failure, e, null);
            }
        }
    }

    /// <summary>Stops the workers (after a failure of the walk) and closes the descriptors still queued.</summary>
    public void Dispose()
    {
        if (!_queue.IsAddingCompleted)
        {
            Interlocked.CompareExchange(ref _failure, new OperationCanceledException("unpack stopped"), null);
            _queue.CompleteAdding();
            foreach (var worker in _workers)
            {
                worker.Join();
            }
        }

        _queue.Dispose();
    }
}
