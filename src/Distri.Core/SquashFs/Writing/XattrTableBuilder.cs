using System.Buffers.Binary;
using System.Text;
using Distri.Core.FileTree;
using Distri.Core.SquashFs.Compression;
using Distri.Core.SquashFs.Format;

namespace Distri.Core.SquashFs.Writing;

/// <summary>
/// The xattr table: key/value records in metadata blocks, and one id entry {ref, count, size} per distinct set.
/// Sets are put in canonical order (by full name) so that equal sets, whatever their source order, are stored once.
/// </summary>
internal sealed class XattrTableBuilder
{
    /// <summary>Linux's XATTR_NAME_MAX and XATTR_SIZE_MAX.</summary>
    private const int MaxNameLength = 255;
    private const int MaxValueLength = 65536;

    private static readonly (string Prefix, ushort Type)[] Namespaces = [("user.", 0), ("trusted.", 1), ("security.", 2)];

    private readonly Dictionary<byte[], uint> _ids = new(ByteArrayComparer.Instance);
    private readonly List<(ulong Reference, uint Count, uint Size)> _entries = [];

    public XattrTableBuilder(IBlockCompressor compressor)
    {
        KeyValues = new MetadataWriter(compressor);
    }

    public MetadataWriter KeyValues { get; }

    public IReadOnlyList<(ulong Reference, uint Count, uint Size)> Entries => _entries;

    /// <summary>The xattr id of this set (stored on first use), or <see cref="SquashFsLayout.NoXattr"/> for none.</summary>
    public uint Add(IReadOnlyList<SourceXattr> xattrs, string owner)
    {
        if (xattrs.Count == 0)
        {
            return SquashFsLayout.NoXattr;
        }

        byte[] encoded = Encode(xattrs, owner);
        if (_ids.TryGetValue(encoded, out uint id))
        {
            return id;
        }

        id = (uint)_entries.Count;
        _entries.Add((KeyValues.Reference, (uint)xattrs.Count, (uint)encoded.Length));
        KeyValues.Write(encoded);
        _ids.Add(encoded, id);
        return id;
    }

    private static byte[] Encode(IReadOnlyList<SourceXattr> xattrs, string owner)
    {
        var sorted = xattrs.OrderBy(x => x.Name, StringComparer.Ordinal).ToList();
        using var buffer = new MemoryStream();
        Span<byte> word = stackalloc byte[4];
        for (int i = 0; i < sorted.Count; i++)
        {
            var (name, value) = (sorted[i].Name, sorted[i].Value);
            if (i > 0 && sorted[i - 1].Name == name)
            {
                throw Invalid(owner, $"has xattr {name} twice");
            }

            int ns = Array.FindIndex(Namespaces, n => name.StartsWith(n.Prefix, StringComparison.Ordinal));
            if (ns < 0)
            {
                throw Invalid(owner, $"has xattr {name} outside the user., trusted. and security. namespaces");
            }

            byte[] suffix = Encoding.UTF8.GetBytes(name[Namespaces[ns].Prefix.Length..]);
            if (suffix.Length == 0 || suffix.Length + Namespaces[ns].Prefix.Length > MaxNameLength)
            {
                throw Invalid(owner, $"has an xattr name that is empty or longer than {MaxNameLength} bytes: {name}");
            }

            if (value.Length > MaxValueLength)
            {
                throw Invalid(owner, $"has xattr {name} with a value over {MaxValueLength} bytes");
            }

            BinaryPrimitives.WriteUInt16LittleEndian(word, Namespaces[ns].Type);
            BinaryPrimitives.WriteUInt16LittleEndian(word[2..], (ushort)suffix.Length);
            buffer.Write(word);
            buffer.Write(suffix);
            BinaryPrimitives.WriteUInt32LittleEndian(word, (uint)value.Length);
            buffer.Write(word);
            buffer.Write(value);
        }

        return buffer.ToArray();
    }

    private static SquashFsException Invalid(string owner, string what) =>
        new(SquashFsError.InvalidInput, $"{owner} {what}");
}
