using System.Buffers.Binary;
using System.Text;
using Distrid.FileSystem.Exchange;
using Distrid.Store;
using Microsoft.Win32.SafeHandles;

namespace Distrid.FileSystem.Manifests;

/// <summary>The manifest cache file read into memory, with an index by image identity and the records appended since.</summary>
internal sealed class ManifestPack : IDisposable
{
    private const int IdentitySize = 32;

    private static ReadOnlySpan<byte> Magic => "DMP1"u8;

    private readonly string _path;
    private readonly byte[] _bytes;
    private readonly Dictionary<ImageIdentity, (int Offset, int Length)> _index;
    private readonly Dictionary<ImageIdentity, (string FullName, PackageManifest Manifest)> _appended = [];
    private SafeFileHandle? _handle;

    /// <summary>Where the next record goes: the end of the last whole record (a torn tail is overwritten).</summary>
    private long _end;

    private ManifestPack(string path, byte[] bytes, Dictionary<ImageIdentity, (int, int)> index, long end)
    {
        _path = path;
        _bytes = bytes;
        _index = index;
        _end = end;
    }

    /// <summary>Bytes of whole records (and the magic) in the file.</summary>
    public long Length => _end;

    public static ManifestPack Parse(string path, byte[] bytes)
    {
        var index = new Dictionary<ImageIdentity, (int, int)>();
        if (bytes.Length < Magic.Length || !bytes.AsSpan(0, Magic.Length).SequenceEqual(Magic))
        {
            return new ManifestPack(path, bytes, index, 0);
        }

        int position = Magic.Length;
        while (bytes.Length - position >= 4)
        {
            int length = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(position));
            int payload = position + 4;
            if (length < IdentitySize + 1 + 4 || length > bytes.Length - payload)
            {
                break;
            }

            index[ReadIdentity(bytes.AsSpan(payload))] = (payload, length);
            position = payload + length;
        }

        return new ManifestPack(path, bytes, index, position);
    }

    public static byte[] EncodeRecord(string fullName, ImageIdentity identity, PackageManifest manifest)
    {
        int nameLength = Encoding.UTF8.GetByteCount(fullName);
        if (nameLength is 0 or > byte.MaxValue)
        {
            throw new ArgumentException($"full name of {nameLength} bytes", nameof(fullName));
        }

        var entries = manifest.Encoded.Span;
        int payload = IdentitySize + 1 + nameLength + 4 + entries.Length;
        byte[] record = new byte[4 + payload];
        var span = record.AsSpan();
        BinaryPrimitives.WriteInt32LittleEndian(span, payload);
        BinaryPrimitives.WriteUInt64LittleEndian(span[4..], identity.Device);
        BinaryPrimitives.WriteUInt64LittleEndian(span[12..], identity.Inode);
        BinaryPrimitives.WriteInt64LittleEndian(span[20..], identity.Size);
        BinaryPrimitives.WriteInt64LittleEndian(span[28..], identity.MtimeNanoseconds);
        span[36] = (byte)nameLength;
        Encoding.UTF8.GetBytes(fullName, span[37..]);
        BinaryPrimitives.WriteInt32LittleEndian(span[(37 + nameLength)..], manifest.Count);
        entries.CopyTo(span[(41 + nameLength)..]);
        return record;
    }

    public PackageManifest? TryGet(string fullName, ImageIdentity identity)
    {
        if (_appended.TryGetValue(identity, out var added))
        {
            return added.FullName == fullName ? added.Manifest : null;
        }

        if (!_index.TryGetValue(identity, out var record))
        {
            return null;
        }

        var payload = _bytes.AsSpan(record.Offset, record.Length);
        int nameLength = payload[IdentitySize];
        int entriesAt = IdentitySize + 1 + nameLength + 4;
        if (entriesAt > payload.Length || !NameIs(payload.Slice(IdentitySize + 1, nameLength), fullName))
        {
            return null;
        }

        int count = BinaryPrimitives.ReadInt32LittleEndian(payload[(entriesAt - 4)..]);
        return count is < 0 or > ManifestBuilder.MaxEntries
            ? null
            : PackageManifest.TryWrap(_bytes.AsMemory(record.Offset + entriesAt, record.Length - entriesAt), count);
    }

    public void Append(byte[] record, ImageIdentity identity, string fullName, PackageManifest manifest)
    {
        if (_handle is null)
        {
            System.IO.Directory.CreateDirectory(Path.GetDirectoryName(_path)!);
            _handle = File.OpenHandle(_path, FileMode.OpenOrCreate, FileAccess.ReadWrite);
            if (_end == 0)
            {
                // A new (or foreign) file: start it, and drop the one-file-per-image cache of older versions.
                RandomAccess.SetLength(_handle, 0);
                RandomAccess.Write(_handle, Magic, 0);
                _end = Magic.Length;
                DeleteOldFormat(Path.GetDirectoryName(_path)!);
            }
            else
            {
                RandomAccess.SetLength(_handle, _end);
            }
        }

        RandomAccess.Write(_handle, record, _end);
        _end += record.Length;
        _appended[identity] = (fullName, manifest);
    }

    /// <summary>Bytes of the records (with their length fields) whose identity is in <paramref name="live"/>, plus the magic.</summary>
    public long LiveBytes(IReadOnlySet<ImageIdentity> live)
    {
        long bytes = Magic.Length;
        foreach (var (identity, record) in _index)
        {
            if (live.Contains(identity) && !_appended.ContainsKey(identity))
            {
                bytes += 4 + record.Length;
            }
        }

        foreach (var (identity, added) in _appended)
        {
            if (live.Contains(identity))
            {
                bytes += 41 + Encoding.UTF8.GetByteCount(added.FullName) + added.Manifest.Encoded.Length;
            }
        }

        return bytes;
    }

    /// <summary>The file as it would be with only the live records.</summary>
    public byte[] Rewrite(IReadOnlySet<ImageIdentity> live)
    {
        using var output = new MemoryStream();
        output.Write(Magic);
        foreach (var (identity, record) in _index)
        {
            if (live.Contains(identity) && !_appended.ContainsKey(identity))
            {
                output.Write(_bytes, record.Offset - 4, record.Length + 4);
            }
        }

        foreach (var (identity, added) in _appended)
        {
            if (live.Contains(identity))
            {
                output.Write(EncodeRecord(added.FullName, identity, added.Manifest));
            }
        }

        return output.ToArray();
    }

    public void Dispose() => _handle?.Dispose();

    private static ImageIdentity ReadIdentity(ReadOnlySpan<byte> payload) => new(
        BinaryPrimitives.ReadUInt64LittleEndian(payload),
        BinaryPrimitives.ReadUInt64LittleEndian(payload[8..]),
        BinaryPrimitives.ReadInt64LittleEndian(payload[16..]),
        BinaryPrimitives.ReadInt64LittleEndian(payload[24..]));

    private static bool NameIs(ReadOnlySpan<byte> stored, string fullName)
    {
        Span<byte> name = stackalloc byte[byte.MaxValue];
        return Encoding.UTF8.TryGetBytes(fullName, name, out int written) && stored.SequenceEqual(name[..written]);
    }

    private static void DeleteOldFormat(string directory)
    {
        foreach (string old in System.IO.Directory.EnumerateFiles(directory, "*.manifest"))
        {
            try
            {
                File.Delete(old);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
            }
        }
    }
}
