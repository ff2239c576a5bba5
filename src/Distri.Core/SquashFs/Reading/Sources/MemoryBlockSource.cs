namespace Distri.Core.SquashFs.Reading.Sources;

/// <summary>An image held in memory: tests and the fuzzer feed mutated bytes through it.</summary>
public sealed class MemoryBlockSource(ReadOnlyMemory<byte> bytes) : IBlockSource
{
    public long Length => bytes.Length;

    public int Read(long offset, Span<byte> destination)
    {
        if (offset < 0 || offset >= bytes.Length)
        {
            return 0;
        }

        ReadOnlySpan<byte> available = bytes.Span[(int)offset..];
        int count = Math.Min(available.Length, destination.Length);
        available[..count].CopyTo(destination);
        return count;
    }

    public void Dispose()
    {
    }
}
