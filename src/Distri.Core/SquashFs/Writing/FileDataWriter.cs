using System.Security.Cryptography;
using Distri.Core.FileTree;

namespace Distri.Core.SquashFs.Writing;

/// <summary>
/// Streams every file's content into the image: full blocks through the compression pipeline, and files smaller
/// than a block into fragments (unless fragments are off). Small files with identical content are stored once:
/// a duplicate's tail is recognised by its SHA-256 before it is committed to a fragment. Larger files whose length
/// and first block equal another file's are hashed in a first pass, and later copies point at the first copy's blocks.
/// </summary>
internal sealed class FileDataWriter
{
    private readonly DataBlockPipeline _pipeline;
    private readonly FragmentPacker? _fragments;
    private readonly int _blockSize;
    private readonly Dictionary<(long Length, UInt128 Hash), FileLayout>? _storedTails;
    private readonly bool _deduplicate;

    public FileDataWriter(DataBlockPipeline pipeline, FragmentPacker? fragments, int blockSize, bool deduplicate)
    {
        _pipeline = pipeline;
        _fragments = fragments;
        _blockSize = blockSize;
        _storedTails = deduplicate && fragments is not null ? [] : null;
        _deduplicate = deduplicate;
    }

    public void Write(IReadOnlyList<PreparedNode> files)
    {
        var digests = _deduplicate ? HashSameSizedFiles(files) : [];
        var firstWithDigest = new Dictionary<(long Length, UInt128 Hash), FileLayout>();
        var duplicates = new List<(FileLayout Copy, FileLayout Original)>();
        foreach (var node in files)
        {
            if (digests.TryGetValue(node, out var digest))
            {
                if (firstWithDigest.TryGetValue(digest, out var original))
                {
                    // The original's block positions are known only once the pipeline has written them.
                    node.Layout = new FileLayout(0);
                    duplicates.Add((node.Layout, original));
                    continue;
                }

                node.Layout = WriteFile((SourceFile)node.Source, node.InodeNumber);
                firstWithDigest.Add(digest, node.Layout);
                continue;
            }

            node.Layout = WriteFile((SourceFile)node.Source, node.InodeNumber);
        }

        _fragments?.Flush();
        _pipeline.Drain();
        foreach (var (copy, original) in duplicates)
        {
            copy.CopyFrom(original);
        }
    }

    /// <summary>
    /// SHA-256 of every file that has at least one block and shares its length and its first block with another such
    /// file. Hashing whole files is a pass over their content before any block is compressed, so files of equal
    /// length are told apart by their first block first: files that merely have the same size (common for large
    /// files) cost one block's read and hash, not their whole content.
    /// </summary>
    private Dictionary<PreparedNode, (long Length, UInt128 Hash)> HashSameSizedFiles(IReadOnlyList<PreparedNode> files)
    {
        var result = new Dictionary<PreparedNode, (long, UInt128)>();
        byte[] buffer = new byte[_blockSize];
        var sameLength = files
            .Where(n => ((SourceFile)n.Source).Length >= _blockSize)
            .GroupBy(n => ((SourceFile)n.Source).Length)
            .Where(g => g.Skip(1).Any());
        foreach (var group in sameLength)
        {
            var candidates = group
                .GroupBy(n => HashContent(n, buffer, _blockSize))
                .Where(g => g.Skip(1).Any())
                .SelectMany(g => g);
            foreach (var node in candidates)
            {
                long length = ((SourceFile)node.Source).Length;
                result.Add(node, (length, HashContent(node, buffer, length)));
            }
        }

        return result;
    }

    /// <summary>SHA-256 of a file's first <paramref name="length"/> bytes.</summary>
    private UInt128 HashContent(PreparedNode node, byte[] buffer, long length)
    {
        var file = (SourceFile)node.Source;
        using var reader = new SourceContentReader(file, file.ContentPath ?? $"file of inode {node.InodeNumber}");
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        for (long left = length; left > 0; left -= _blockSize)
        {
            var chunk = buffer.AsSpan(0, (int)Math.Min(_blockSize, left));
            reader.ReadExactly(chunk);
            hash.AppendData(chunk);
        }

        return ToKey(hash.GetHashAndReset());
    }

    private static UInt128 ToKey(ReadOnlySpan<byte> digest) => new(BitConverter.ToUInt64(digest), BitConverter.ToUInt64(digest[8..]));

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
            var key = (length, ToKey(digest));
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
