using System.Globalization;
using System.Text;

namespace Distri.Core.Debian;

/// <summary>One member of an ar archive: its name and where its bytes lie in the archive file.</summary>
public sealed record ArMember(string Name, long Offset, long Size);

/// <summary>
/// Reads the member table of a System V / GNU ar archive, the container of a .deb: the magic "!&lt;arch&gt;\n", then
/// per member a 60-byte header (name 16, mtime 12, uid 6, gid 6, mode 8, decimal size 10, "`\n") and the data,
/// padded to an even offset. Every size is checked against the file's length before anything is trusted.
/// </summary>
public static class ArArchive
{
    private const int HeaderSize = 60;
    private const int MaxMembers = 64;
    private static readonly byte[] Magic = "!<arch>\n"u8.ToArray();

    public static IReadOnlyList<ArMember> ReadMembers(Stream archive)
    {
        ArgumentNullException.ThrowIfNull(archive);
        long length = archive.Length;
        Span<byte> magic = stackalloc byte[8];
        archive.Position = 0;
        if (archive.ReadAtLeast(magic, magic.Length, throwOnEndOfStream: false) != magic.Length || !magic.SequenceEqual(Magic))
        {
            throw new InvalidDataException("not an ar archive (a .deb starts with \"!<arch>\")");
        }

        var members = new List<ArMember>();
        Span<byte> header = stackalloc byte[HeaderSize];
        long position = magic.Length;
        while (position < length)
        {
            if (members.Count == MaxMembers)
            {
                throw new InvalidDataException($"ar archive has more than {MaxMembers} members");
            }

            archive.Position = position;
            if (archive.ReadAtLeast(header, HeaderSize, throwOnEndOfStream: false) != HeaderSize)
            {
                throw new InvalidDataException($"ar archive truncated in a member header at offset {position}");
            }

            if (header[58] != (byte)'`' || header[59] != (byte)'\n')
            {
                throw new InvalidDataException($"ar archive: bad member header at offset {position}");
            }

            string name = Encoding.ASCII.GetString(header[..16]).TrimEnd(' ');
            name = name.EndsWith('/') ? name[..^1] : name; // GNU ar ends names with '/'
            string sizeText = Encoding.ASCII.GetString(header.Slice(48, 10)).Trim(' ');
            if (!long.TryParse(sizeText, NumberStyles.None, CultureInfo.InvariantCulture, out long size))
            {
                throw new InvalidDataException($"ar archive: member '{name}' has a bad size '{sizeText}'");
            }

            long dataOffset = position + HeaderSize;
            if (size > length - dataOffset)
            {
                throw new InvalidDataException($"ar archive: member '{name}' ({size} bytes) runs past the end of the file");
            }

            members.Add(new ArMember(name, dataOffset, size));
            position = dataOffset + size + (size & 1);
        }

        return members;
    }
}
