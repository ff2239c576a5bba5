using System.Buffers.Binary;

namespace Distrid.FileSystem.Exchange;

/// <summary>
/// What one image contributes to the exchange directories: every path below its <c>bin/</c>, <c>lib/</c>, ...
/// (relative to the image root, raw name bytes joined by '/'), each a directory or a leaf (file, symlink, device...).
/// Computed once per image and cached, so that a daemon start never reads every image.
/// </summary>
/// <remarks>
/// Held in its encoded form, one block of bytes (per entry: <c>u8</c> 1 for a directory else 0, <c>u16</c> LE path
/// length, the path), which is also how the manifest cache stores it: a start with 10,000 cached images slices the
/// cache file instead of allocating an array per path.
/// </remarks>
public sealed class PackageManifest
{
    /// <summary>The directories merged under /ro, in the order DESIGN.md lists them.</summary>
    public static readonly IReadOnlyList<string> ExchangeDirectories = ["bin", "sbin", "lib", "lib64", "libexec", "include", "share"];

    public static readonly PackageManifest Empty = new([]);

    /// <summary>Bytes before each path: the kind and the length.</summary>
    internal const int EntryHeaderSize = 3;

    private PackageManifest(ReadOnlyMemory<byte> encoded, int count)
    {
        Encoded = encoded;
        Count = count;
    }

    /// <summary>A manifest of <paramref name="entries"/>, in depth-first order (a directory before its content).</summary>
    public PackageManifest(IEnumerable<ManifestEntry> entries)
    {
        var writer = new ManifestWriter();
        foreach (var entry in entries)
        {
            writer.Add(entry.Path, entry.IsDirectory);
        }

        var built = writer.ToManifest();
        Encoded = built.Encoded;
        Count = built.Count;
    }

    /// <summary>The entries in their encoded form (see the remarks).</summary>
    public ReadOnlyMemory<byte> Encoded { get; }

    public int Count { get; }

    /// <summary>Entries in depth-first order: a directory comes before what it contains.</summary>
    public ManifestEntries Entries => new(Encoded);

    /// <summary>
    /// Wraps <paramref name="encoded"/> (not copied) when it holds exactly <paramref name="count"/> well-formed entries;
    /// null otherwise (a damaged cache record).
    /// </summary>
    internal static PackageManifest? TryWrap(ReadOnlyMemory<byte> encoded, int count)
    {
        var span = encoded.Span;
        int position = 0;
        for (int i = 0; i < count; i++)
        {
            if (span.Length - position < EntryHeaderSize || span[position] > 1)
            {
                return null;
            }

            int length = BinaryPrimitives.ReadUInt16LittleEndian(span[(position + 1)..]);
            position += EntryHeaderSize;
            if (length == 0 || span.Length - position < length)
            {
                return null;
            }

            position += length;
        }

        return position == span.Length ? new PackageManifest(encoded, count) : null;
    }

    internal static PackageManifest FromWriter(ReadOnlyMemory<byte> encoded, int count) => new(encoded, count);
}

/// <summary>One path of a manifest, e.g. <c>bin/less</c> (a leaf) or <c>share/man</c> (a directory).</summary>
public readonly record struct ManifestEntry(byte[] Path, bool IsDirectory);

/// <summary>A manifest's entries, read in place: <c>foreach (var entry in manifest.Entries)</c> allocates nothing.</summary>
public readonly struct ManifestEntries(ReadOnlyMemory<byte> encoded)
{
    public Enumerator GetEnumerator() => new(encoded.Span);

    public ref struct Enumerator(ReadOnlySpan<byte> encoded)
    {
        private readonly ReadOnlySpan<byte> _encoded = encoded;
        private int _next;

        public ManifestPath Current { get; private set; }

        public bool MoveNext()
        {
            if (_next >= _encoded.Length)
            {
                return false;
            }

            bool isDirectory = _encoded[_next] == 1;
            int length = BinaryPrimitives.ReadUInt16LittleEndian(_encoded[(_next + 1)..]);
            Current = new ManifestPath(_encoded.Slice(_next + PackageManifest.EntryHeaderSize, length), isDirectory);
            _next += PackageManifest.EntryHeaderSize + length;
            return true;
        }
    }
}

/// <summary>One entry as <see cref="ManifestEntries"/> yields it: the path bytes stay in the manifest's block.</summary>
public readonly ref struct ManifestPath(ReadOnlySpan<byte> path, bool isDirectory)
{
    public ReadOnlySpan<byte> Path { get; } = path;

    public bool IsDirectory { get; } = isDirectory;
}

/// <summary>Builds a manifest's encoded block entry by entry.</summary>
public sealed class ManifestWriter
{
    private byte[] _buffer = new byte[256];
    private int _length;

    public int Count { get; private set; }

    /// <summary>Appends one path (at most 65,535 bytes, as a SquashFS path below a depth bound always is).</summary>
    public void Add(ReadOnlySpan<byte> path, bool isDirectory)
    {
        if (path.IsEmpty || path.Length > ushort.MaxValue)
        {
            throw new InvalidDataException($"manifest path of {path.Length} bytes");
        }

        int needed = _length + PackageManifest.EntryHeaderSize + path.Length;
        if (needed > _buffer.Length)
        {
            Array.Resize(ref _buffer, Math.Max(needed, _buffer.Length * 2));
        }

        _buffer[_length] = isDirectory ? (byte)1 : (byte)0;
        BinaryPrimitives.WriteUInt16LittleEndian(_buffer.AsSpan(_length + 1), (ushort)path.Length);
        path.CopyTo(_buffer.AsSpan(_length + PackageManifest.EntryHeaderSize));
        _length = needed;
        Count++;
    }

    public PackageManifest ToManifest() => PackageManifest.FromWriter(_buffer.AsMemory(0, _length).ToArray(), Count);
}
