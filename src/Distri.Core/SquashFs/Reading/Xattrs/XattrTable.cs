using System.Buffers.Binary;
using Distri.Core.SquashFs.Reading.Metadata;
using Distri.Core.SquashFs.Reading.Tables;

namespace Distri.Core.SquashFs.Reading.Xattrs;

/// <summary>
/// Extended attributes: an id table of {key/value ref u64, count u32, size u32} per inode set, over a key/value
/// table of keys {type u16 (|0x100 = value stored elsewhere), name size u16, name} and values {size u32, bytes}.
/// </summary>
internal sealed class XattrTable
{
    /// <summary>Linux XATTR_SIZE_MAX: no value may be larger.</summary>
    public const int MaxValueSize = 65536;

    /// <summary>Linux XATTR_NAME_MAX for the full name, prefix included.</summary>
    public const int MaxNameLength = 255;

    private const int MaxEntriesPerInode = 65536;
    private const ushort OutOfLineFlag = 0x100;

    private static readonly byte[][] Prefixes = ["user."u8.ToArray(), "trusted."u8.ToArray(), "security."u8.ToArray()];

    private readonly MetadataRegion _values;
    private readonly LookupTable _ids;

    private XattrTable(MetadataRegion values, LookupTable ids)
    {
        _values = values;
        _ids = ids;
    }

    public long Count => _ids.Count;

    /// <summary>Start of the key/value table: the tables before it end there.</summary>
    public long KeyValueStart => _values.Start;

    public static XattrTable Load(ImageAccess access, MetadataBlockCache cache, long idTableStart, long lowerBound)
    {
        Span<byte> header = stackalloc byte[16];
        access.ReadExactly(idTableStart, header);
        ulong keyValueStart = BinaryPrimitives.ReadUInt64LittleEndian(header);
        uint count = BinaryPrimitives.ReadUInt32LittleEndian(header[8..]);
        if (keyValueStart < (ulong)lowerBound || keyValueStart >= (ulong)idTableStart)
        {
            throw new SquashFsException(SquashFsError.CorruptMetadata, "xattr key/value table lies outside the image");
        }

        LookupTable ids = LookupTable.Load(access, cache, idTableStart + 16, (long)keyValueStart, count, 16, "xattr id");
        long keyValueLimit = count > 0 ? ids.FirstBlock : idTableStart;
        return new XattrTable(new MetadataRegion(cache, (long)keyValueStart, keyValueLimit), ids);
    }

    /// <summary>Calls <paramref name="visitor"/> with each full name ("user.foo") and value of xattr set
    /// <paramref name="index"/>, until it returns false.</summary>
    public void ForEach<TVisitor>(uint index, ref TVisitor visitor)
        where TVisitor : IXattrVisitor, allows ref struct
    {
        MetadataCursor entry = _ids.OpenEntry(index);
        ulong reference = entry.ReadUInt64();
        uint count = entry.ReadUInt32();
        if (count > MaxEntriesPerInode)
        {
            throw Corrupt($"xattr set {index} claims {count} entries");
        }

        MetadataCursor cursor = _values.OpenReference(reference);
        Span<byte> name = stackalloc byte[MaxNameLength];
        for (uint i = 0; i < count; i++)
        {
            ushort type = cursor.ReadUInt16();
            int nameSize = cursor.ReadUInt16();
            int prefixIndex = type & 0xFF;
            if (prefixIndex >= Prefixes.Length || (type & ~(OutOfLineFlag | 0xFF)) != 0)
            {
                throw Corrupt($"xattr has unknown type {type}");
            }

            byte[] prefix = Prefixes[prefixIndex];
            if (nameSize == 0 || prefix.Length + nameSize > MaxNameLength)
            {
                throw Corrupt($"xattr name of {nameSize} bytes");
            }

            prefix.CopyTo(name);
            cursor.Read(name.Slice(prefix.Length, nameSize));
            int fullLength = prefix.Length + nameSize;

            uint valueSize = cursor.ReadUInt32();
            XattrValue value;
            if ((type & OutOfLineFlag) != 0)
            {
                if (valueSize != 8)
                {
                    throw Corrupt("out-of-line xattr value has a bad reference");
                }

                MetadataCursor elsewhere = _values.OpenReference(cursor.ReadUInt64());
                value = ReadValueHeader(ref elsewhere, elsewhere.ReadUInt32());
            }
            else
            {
                value = ReadValueHeader(ref cursor, valueSize);
                cursor.Skip(valueSize);
            }

            if (!visitor.Visit(name[..fullLength], value))
            {
                return;
            }
        }
    }

    /// <summary>Copies a value found by <see cref="ForEach{TVisitor}"/> into <paramref name="destination"/>, which
    /// must hold <see cref="XattrValue.Length"/> bytes.</summary>
    public void ReadValue(in XattrValue value, Span<byte> destination)
    {
        MetadataCursor cursor = _values.OpenAbsolute(value.BlockPosition, value.Offset);
        cursor.Read(destination[..value.Length]);
    }

    private static XattrValue ReadValueHeader(ref MetadataCursor cursor, uint size)
    {
        if (size > MaxValueSize)
        {
            throw Corrupt($"xattr value of {size} bytes");
        }

        return new XattrValue(cursor.BlockPosition, cursor.Offset, (int)size);
    }

    private static SquashFsException Corrupt(string what) => new(SquashFsError.CorruptMetadata, what);
}
