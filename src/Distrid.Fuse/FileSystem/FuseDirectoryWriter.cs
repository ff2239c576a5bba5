using System.Buffers.Binary;
using System.Runtime.InteropServices;
using Distrid.Fuse.Protocol;

namespace Distrid.Fuse.FileSystem;

/// <summary>
/// Packs fuse_dirent (READDIR) or fuse_direntplus (READDIRPLUS) records straight into the reply buffer. Only
/// whole records are written; <see cref="TryAdd"/> says when the next one no longer fits.
/// </summary>
public ref struct FuseDirectoryWriter
{
    private const int DirentNameOffset = 24;
    private const int MaxNameLength = 1024;

    private readonly Span<byte> _buffer;
    private int _length;

    internal FuseDirectoryWriter(Span<byte> buffer, bool plus)
    {
        _buffer = buffer;
        IsPlus = plus;
        _length = 0;
    }

    /// <summary>True for READDIRPLUS: the entry (node id, attributes, timeouts) of each record is used.</summary>
    public readonly bool IsPlus { get; }

    /// <summary>Bytes written so far.</summary>
    public readonly int Length => _length;

    /// <summary>Number of records written so far.</summary>
    public int Count { readonly get; private set; }

    /// <summary>
    /// Adds one entry. <paramref name="nextOffset"/> is the cookie the kernel passes back to continue after this
    /// entry. For READDIR only <c>entry.Attr.Ino</c> and the file type bits of <c>entry.Attr.Mode</c> are used;
    /// for READDIRPLUS the whole entry is sent, except that "." and ".." always get a zeroed entry (the kernel
    /// does not look them up). Names must be 1..1024 bytes without '/' or NUL.
    /// </summary>
    public DirectoryAddResult TryAdd(scoped ReadOnlySpan<byte> name, long nextOffset, scoped in FuseEntryOut entry)
    {
        if (name.IsEmpty || name.Length > MaxNameLength || name.IndexOfAny((byte)'/', (byte)0) >= 0)
        {
            throw new ArgumentException("A directory entry name must be 1..1024 bytes without '/' or NUL.", nameof(name));
        }

        int headerLength = IsPlus ? FuseEntryOut.Size + DirentNameOffset : DirentNameOffset;
        int recordLength = Align8(headerLength + name.Length);
        if (_length + recordLength > _buffer.Length)
        {
            return DirectoryAddResult.Full;
        }

        Span<byte> record = _buffer.Slice(_length, recordLength);
        bool isDotOrDotDot = IsDotOrDotDot(name);
        Span<byte> dirent = record;
        if (IsPlus)
        {
            Span<byte> entrySpace = record[..FuseEntryOut.Size];
            if (isDotOrDotDot)
            {
                entrySpace.Clear();
            }
            else
            {
                MemoryMarshal.Write(entrySpace, in entry);
            }

            dirent = record[FuseEntryOut.Size..];
        }

        BinaryPrimitives.WriteUInt64LittleEndian(dirent, entry.Attr.Ino);
        BinaryPrimitives.WriteInt64LittleEndian(dirent[8..], nextOffset);
        BinaryPrimitives.WriteUInt32LittleEndian(dirent[16..], (uint)name.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(dirent[20..], (entry.Attr.Mode >> 12) & 0xF);
        name.CopyTo(dirent[DirentNameOffset..]);
        dirent[(DirentNameOffset + name.Length)..].Clear();

        _length += recordLength;
        Count++;
        return IsPlus && !isDotOrDotDot && entry.NodeId != 0 ? DirectoryAddResult.AddedWithLookup : DirectoryAddResult.Added;
    }

    private static int Align8(int value) => (value + 7) & ~7;

    private static bool IsDotOrDotDot(ReadOnlySpan<byte> name) =>
        (name.Length == 1 && name[0] == (byte)'.') || (name.Length == 2 && name[0] == (byte)'.' && name[1] == (byte)'.');
}
