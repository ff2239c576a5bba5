using System.Security.Cryptography;
using Distri.Core.FileTree;

namespace Distri.Core.SquashFs.Writing;

/// <summary>
/// Streams every file's content into the image: full blocks through the compression pipeline, and files smaller
/// than a block into fragments (unless fragments are off). Small files with identical content are stored once:
/// a duplicate's tail is recognised by its SHA-256 before it is committed to a fragment.
/// </summary>
internal sealed class FileDataWriter
{
    private readonly DataBlockPipeline _pipeline;
    private readonly FragmentPacker? _fragments;
    private readonly int _blockSize;
    private readonly Dictionary<(long Length, UInt128 Hash), FileLayout>? _storedTails;

    public FileDataWriter(DataBlockPipeline pipeline, FragmentPacker? fragments, int blockSize, bool deduplicate)
    {
        _pipeline = pipeline;
        _fragments = fragments;
        _blockSize = blockSize;
        _storedTails = deduplicate && fragments is not null ? [] : null;
    }

    public void Write(IEnumerable<PreparedNode> files)
    {
        foreach (var node in files)
        {
            node.Layout = WriteFile((SourceFile)node.Source, node.InodeNumber);
        }

        _fragments?.Flush();
        _pipeline.Drain();
    }

    private FileLayout WriteFile(SourceFile file, uint inodeNumber)
    {
        long length = file.Length;
        if (length == 0)
        {
            return new FileLayout(0);
        }

        bool toFragment = _fragments is not null && length < _blockSize;
        string name = file.ContentPath ?? $"file of inode {inodeNumber}";
        using var reader = new SourceContentReader(file, name);
        if (toFragment)
        {
            return WriteTail(reader, (int)length);
        }

        int blockCount = (int)((length + _blockSize - 1) / _blockSize);
        var layout = new FileLayout(blockCount);
        for (int i = 0; i < blockCount; i++)
        {
            int n = (int)Math.Min(_blockSize, length - ((long)i * _blockSize));
            var job = _pipeline.Rent();
            reader.ReadExactly(job.Input.AsSpan(0, n));
            job.Length = n;
            job.MayBeHole = true;
            job.Owner = layout;
            job.Index = i;
            _pipeline.Submit(job);
        }

        return layout;
    }

    private FileLayout WriteTail(SourceContentReader reader, int length)
    {
        var layout = new FileLayout(0);
        var tail = _fragments!.Reserve(length, out uint index, out uint offset);
        reader.ReadExactly(tail);
        if (_storedTails is not null)
        {
            Span<byte> digest = stackalloc byte[SHA256.HashSizeInBytes];
            SHA256.HashData(tail, digest);
            var key = (length, new UInt128(BitConverter.ToUInt64(digest), BitConverter.ToUInt64(digest[8..])));
            if (_storedTails.TryGetValue(key, out var stored))
            {
                _fragments.Unreserve(length);
                layout.CopyFrom(stored);
                return layout;
            }

            _storedTails.Add(key, layout);
        }

        layout.FragmentIndex = index;
        layout.FragmentOffset = offset;
        return layout;
    }
}
