using System.Collections.Concurrent;
using Distri.Core.SquashFs.Compression;
using Distri.Core.SquashFs.Format;

namespace Distri.Core.SquashFs.Writing;

/// <summary>
/// Compresses data blocks on N threads and writes them in submission order, so the image is the same whatever the
/// thread timing. The blocks in flight live in a fixed ring of jobs: renting a slot whose previous block is not yet
/// written first waits for and writes that block, which bounds memory to ring size x 2 blocks. The ring is deep
/// (about 64 MiB of blocks) and finished blocks are written as soon as they are ready, so that a briefly
/// descheduled thread on a busy machine does not stall the others.
/// </summary>
internal sealed class DataBlockPipeline : IDisposable
{
    private readonly ImageOutput _output;
    private readonly BlockJob?[] _ring;
    private readonly BlockingCollection<BlockJob>? _queue;
    private readonly Thread[] _workers;
    private readonly IBlockCompressor? _inlineCompressor;
    private readonly IncompressibleProbe? _inlineProbe;
    private const int InFlightBytes = 64 << 20;
    private readonly int _blockSize;
    private long _submitted;
    private long _written;

    public DataBlockPipeline(ImageOutput output, SquashFsWriterOptions options)
    {
        _output = output;
        int blockSize = options.BlockSize;
        int parallelism = options.MaxParallelism;
        bool threaded = parallelism > 1 && options.Compression != CompressionId.None;
        _blockSize = blockSize;
        _ring = new BlockJob[threaded ? Math.Clamp(InFlightBytes / (2 * blockSize), 4 * parallelism, Math.Max(1024, 4 * parallelism)) : 1];

        if (!threaded)
        {
            _inlineCompressor = options.Codec.CreateCompressor(options.CompressionLevel);
            _inlineProbe = CreateProbe(options);
            _workers = [];
            return;
        }

        _queue = new BlockingCollection<BlockJob>(new ConcurrentQueue<BlockJob>());
        _workers = new Thread[parallelism];
        for (int i = 0; i < parallelism; i++)
        {
            var compressor = options.Codec.CreateCompressor(options.CompressionLevel);
            var probe = CreateProbe(options);
            _workers[i] = new Thread(() => Work(compressor, probe)) { IsBackground = true, Name = $"squashfs-compress-{i}" };
            _workers[i].Start();
        }
    }

    /// <summary>A free job for the next block; may write finished blocks to make room.</summary>
    public BlockJob Rent()
    {
        // Write whatever is already finished, then make room if the ring is still full.
        while (_written < _submitted && _ring[_written % _ring.Length]!.IsDone)
        {
            WriteNext();
        }

        if (_submitted - _written == _ring.Length)
        {
            WriteNext();
        }

        // Jobs (and their buffers) are made on first use, so small images never allocate the whole ring.
        var job = _ring[_submitted % _ring.Length] ??= new BlockJob(_blockSize);
        job.Reset();
        return job;
    }

    /// <summary>Queues the job last rented; its owner hears where it landed once it is written.</summary>
    public void Submit(BlockJob job)
    {
        _submitted++;
        if (_queue is null)
        {
            job.Process(_inlineCompressor!, _inlineProbe);
            WriteNext();
        }
        else
        {
            _queue.Add(job);
        }
    }

    /// <summary>Writes every submitted block.</summary>
    public void Drain()
    {
        while (_written < _submitted)
        {
            WriteNext();
        }
    }

    public void Dispose()
    {
        _queue?.CompleteAdding();
        foreach (var worker in _workers)
        {
            worker.Join();
        }

        _queue?.Dispose();
        _inlineCompressor?.Dispose();
        _inlineProbe?.Dispose();
        foreach (var job in _ring)
        {
            job?.Dispose();
        }
    }

    private static IncompressibleProbe? CreateProbe(SquashFsWriterOptions options) =>
        options.Compression == CompressionId.None ? null : new IncompressibleProbe(options.BlockSize);

    private void Work(IBlockCompressor compressor, IncompressibleProbe? probe)
    {
        using (compressor)
        using (probe)
        {
            foreach (var job in _queue!.GetConsumingEnumerable())
            {
                job.Process(compressor, probe);
            }
        }
    }

    private void WriteNext()
    {
        var job = _ring[_written % _ring.Length]!;
        job.WaitDone();
        if (job.Error is not null)
        {
            throw new IOException($"compressing a data block failed: {job.Error.Message}", job.Error);
        }

        long position = _output.Position;
        uint sizeWord;
        if (job.IsHole)
        {
            sizeWord = 0;
        }
        else if (job.CompressedLength > 0)
        {
            _output.Write(job.Output.AsSpan(0, job.CompressedLength));
            sizeWord = (uint)job.CompressedLength;
        }
        else
        {
            _output.Write(job.Input.AsSpan(0, job.Length));
            sizeWord = (uint)job.Length | SquashFsLayout.DataUncompressedFlag;
        }

        _written++;
        job.Owner!.OnBlockWritten(job.Index, position, sizeWord, job.Length);
    }
}
