using System.Formats.Tar;
using System.IO.Compression;
using Distri.Core.AppStream;

namespace Distrid.AppStream;

/// <summary>
/// Unpacks a catalog's icon archive (verified against the signed index) into a fresh directory: only regular files
/// named <c>64x64/NAME.png</c> or <c>128x128/NAME.png</c> (NAME one plain component), each at most
/// <see cref="AppStreamLayout.MaxIconBytes"/>, at most <see cref="AppStreamLayout.MaxIcons"/> of them; anything else
/// rejects the archive. Files are world-readable: software centers run as the desktop user.
/// </summary>
internal static class IconArchive
{
    public static int Extract(byte[] iconsTarGz, string directory)
    {
        foreach (int size in AppStreamLayout.IconSizes)
        {
            CreateReadableDirectory(Path.Combine(directory, AppStreamLayout.IconDirectory(size)));
        }

        int count = 0;
        try
        {
            using var gzip = new GZipStream(new MemoryStream(iconsTarGz, writable: false), CompressionMode.Decompress);
            using var bounded = new BoundedReadStream(gzip, AppStreamLayout.MaxIconArchiveBytes);
            using var tar = new TarReader(bounded);
            while (tar.GetNextEntry() is { } entry)
            {
                if (++count > AppStreamLayout.MaxIcons)
                {
                    throw new AppStreamException($"{AppStreamLayout.IconsPath}: more than {AppStreamLayout.MaxIcons} icons");
                }

                string target = TargetOf(entry, directory);
                using var file = new FileStream(target, FileMode.CreateNew, FileAccess.Write);
                entry.DataStream?.CopyTo(file);
                File.SetUnixFileMode(target, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
            }
        }
        catch (Exception e) when (e is InvalidDataException or FormatException or EndOfStreamException)
        {
            throw new AppStreamException($"{AppStreamLayout.IconsPath}: not a readable icon archive ({e.Message.ReplaceLineEndings(" ")})", e);
        }

        return count;
    }

    public static void CreateReadableDirectory(string path)
    {
        Directory.CreateDirectory(path);
        File.SetUnixFileMode(path, (UnixFileMode)0b111_101_101);
    }

    private static string TargetOf(TarEntry entry, string directory)
    {
        string[] parts = entry.Name.Split('/');
        bool sizeOk = parts.Length == 2 && AppStreamLayout.IconSizes.Any(s => AppStreamLayout.IconDirectory(s) == parts[0]);
        if (entry.EntryType is not (TarEntryType.RegularFile or TarEntryType.V7RegularFile) || !sizeOk || !CatalogIcon.IsValidFileName(parts[1]))
        {
            throw new AppStreamException($"{AppStreamLayout.IconsPath}: unexpected entry '{Printable(entry.Name)}' (only <size>/<name>.png files)");
        }

        if (entry.Length > AppStreamLayout.MaxIconBytes)
        {
            throw new AppStreamException($"{AppStreamLayout.IconsPath}: {parts[1]} is {entry.Length} bytes, over the limit of {AppStreamLayout.MaxIconBytes}");
        }

        return Path.Combine(directory, parts[0], parts[1]);
    }

    private static string Printable(string name) =>
        new([.. name.Take(80).Select(c => char.IsControl(c) ? '?' : c)]);
}
