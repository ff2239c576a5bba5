using Distri.Core.SquashFs.Compression;

namespace Distri.Core.SquashFs.Writing;

/// <summary>
/// One data or fragment block on its way through the pipeline. Jobs and their two buffers are allocated once per
/// pipeline slot and reused, so a block costs no allocation.
/// </summary>
internal sealed class BlockJob(int blockSize) : IDisposable
{
    private readonly ManualResetEventSlim _done = new(false);

    public byte[] Input { get; set; } = new byte[blockSize];

    public byte[] Output { get; } = new byte[blockSize];

    public int Length { get; set; }

    /// <summary>Data blocks of zeros may become holes; fragment blocks may not.</summary>
    public bool MayBeHole { get; set; }

    public IBlockOwner? Owner { get; set; }

    public int Index { get; set; }

    /// <summary>Compressed length, or 0 when the block is stored raw.</summary>
    public int CompressedLength { get; private set; }

    public bool IsHole { get; private set; }

    public Exception? Error { get; private set; }

    public void Reset()
    {
        _done.Reset();
        Error = null;
        IsHole = false;
        CompressedLength = 0;
        Owner = null;
    }

    /// <summary>Runs on a worker thread (or inline); never throws, the writer rethrows <see cref="Error"/>.</summary>
    /// <param name="compressor">The image's compressor, one per thread.</param>
    /// <param name="probe">Spares <paramref name="compressor"/> blocks that will not shrink; null when nothing compresses.</param>
    public void Process(IBlockCompressor compressor, IncompressibleProbe? probe)
    {
        try
        {
            var data = Input.AsSpan(0, Length);
            IsHole = MayBeHole && !data.ContainsAnyExcept((byte)0);
            CompressedLength = IsHole || (probe is not null && probe.WillNotShrink(data)) ? 0 : compressor.Compress(data, Output);
        }
        catch (Exception e)
        {
            Error = e;
        }
        finally
        {
            _done.Set();
        }
    }

    public bool IsDone => _done.IsSet;

    public void WaitDone() => _done.Wait();

    public void Dispose() => _done.Dispose();
}
