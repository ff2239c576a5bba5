using System.Buffers.Binary;
using Distrid.FileSystem.Exchange;
using Distrid.Store;

namespace Distrid.FileSystem.Manifests;

/// <summary>
/// Manifests on disk in the state directory, one file per image keyed by its full name and
/// <see cref="ImageIdentity"/>: a daemon start reads these small files instead of every image. A file that is
/// missing, stale or unreadable is simply rebuilt from the image.
/// </summary>
internal sealed class ManifestCache(string directory)
{
    private static ReadOnlySpan<byte> Magic => "DMF1"u8;

    public string Directory { get; } = directory;

    public string PathFor(string fullName, ImageIdentity identity) => Path.Combine(Directory, $"{fullName}.{identity}.manifest");

    public PackageManifest? TryLoad(string fullName, ImageIdentity identity)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(PathFor(fullName, identity));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }

        return TryDecode(bytes);
    }

    public void Save(string fullName, ImageIdentity identity, PackageManifest manifest)
    {
        System.IO.Directory.CreateDirectory(Directory);
        string path = PathFor(fullName, identity);
        string temp = path + ".tmp";
        using (var stream = new FileStream(temp, FileMode.Create, FileAccess.Write))
        {
            Encode(manifest, stream);
        }

        // A cache: no fsync needed, a torn file fails to decode and is rebuilt.
        File.Move(temp, path, overwrite: true);
    }

    internal static void Encode(PackageManifest manifest, Stream output)
    {
        Span<byte> header = stackalloc byte[8];
        Magic.CopyTo(header);
        BinaryPrimitives.WriteInt32LittleEndian(header[4..], manifest.Entries.Count);
        output.Write(header);
        Span<byte> entryHeader = stackalloc byte[3];
        foreach (var entry in manifest.Entries)
        {
            entryHeader[0] = entry.IsDirectory ? (byte)1 : (byte)0;
            BinaryPrimitives.WriteUInt16LittleEndian(entryHeader[1..], checked((ushort)entry.Path.Length));
            output.Write(entryHeader);
            output.Write(entry.Path);
        }
    }

    internal static PackageManifest? TryDecode(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length < 8 || !bytes[..4].SequenceEqual(Magic))
        {
            return null;
        }

        int count = BinaryPrimitives.ReadInt32LittleEndian(bytes[4..]);
        if (count < 0 || count > ManifestBuilder.MaxEntries || count > (bytes.Length - 8) / 3)
        {
            return null;
        }

        var entries = new ManifestEntry[count];
        int position = 8;
        for (int i = 0; i < count; i++)
        {
            if (position + 3 > bytes.Length)
            {
                return null;
            }

            bool isDirectory = bytes[position] == 1;
            int length = BinaryPrimitives.ReadUInt16LittleEndian(bytes[(position + 1)..]);
            position += 3;
            if (position + length > bytes.Length)
            {
                return null;
            }

            entries[i] = new ManifestEntry(bytes.Slice(position, length).ToArray(), isDirectory);
            position += length;
        }

        return position == bytes.Length ? new PackageManifest(entries) : null;
    }
}
