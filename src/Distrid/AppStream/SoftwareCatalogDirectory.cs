using System.Runtime.InteropServices;
using Distri.Core.Repository;

namespace Distrid.AppStream;

/// <summary>
/// The directory libappstream reads catalogs from (<c>/var/cache/swcatalog</c> by default): our catalogs go to
/// <c>xml/&lt;origin&gt;.xml.gz</c>, their icons to <c>icons/&lt;origin&gt;/{64x64,128x128}/</c>. Each replace is atomic
/// for readers: the XML is written to a temporary file and renamed; the icons are unpacked into a new hidden folder
/// and <c>icons/&lt;origin&gt;</c> is a symlink renamed over to point at it. Icons go in before the XML that names
/// them and leave after it. Only origins this daemon writes (<see cref="CatalogOrigin"/>) are ever touched.
/// </summary>
public sealed partial class SoftwareCatalogDirectory(string root)
{
    public string Root { get; } = root;

    public string CatalogPath(string origin) => Path.Combine(Root, "xml", origin + ".xml.gz");

    public string IconsLink(string origin) => Path.Combine(Root, "icons", origin);

    /// <summary>Installs a catalog (already given its origin) and its icon archive, replacing what the origin had.</summary>
    public int Install(string origin, byte[] catalogXmlGz, byte[] iconsTarGz)
    {
        Check(origin);
        string xml = Path.Combine(Root, "xml");
        string icons = Path.Combine(Root, "icons");
        IconArchive.CreateReadableDirectory(Root);
        IconArchive.CreateReadableDirectory(xml);
        IconArchive.CreateReadableDirectory(icons);

        string version = $".{origin}.{Guid.NewGuid():N}";
        string unpacked = Path.Combine(icons, version);
        int count;
        try
        {
            IconArchive.CreateReadableDirectory(unpacked);
            count = IconArchive.Extract(iconsTarGz, unpacked);
            SwapLink(IconsLink(origin), version);
        }
        catch
        {
            Directory.Delete(unpacked, recursive: true);
            throw;
        }

        AtomicFile.Write(CatalogPath(origin), catalogXmlGz);
        File.SetUnixFileMode(CatalogPath(origin), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        RemoveIconVersions(origin, keep: version);
        return count;
    }

    /// <summary>Removes an origin's catalog, then its icons. Nothing there is fine.</summary>
    public void Remove(string origin)
    {
        Check(origin);
        File.Delete(CatalogPath(origin));
        string link = IconsLink(origin);
        var info = new FileInfo(link);
        if (info.LinkTarget is not null)
        {
            info.Delete();
        }
        else if (Directory.Exists(link))
        {
            Directory.Delete(link, recursive: true);
        }

        RemoveIconVersions(origin, keep: null);
    }

    /// <summary>Points <paramref name="link"/> at <paramref name="target"/> (relative) with one rename.</summary>
    private static void SwapLink(string link, string target)
    {
        if (Directory.Exists(link) && new FileInfo(link).LinkTarget is null)
        {
            // A real folder (not ours to keep: the name is our origin) cannot be renamed over; it goes first.
            Directory.Delete(link, recursive: true);
        }

        string temp = AtomicFile.TempPathFor(link);
        File.CreateSymbolicLink(temp, target);
        try
        {
            // rename(2) itself: File.Move refuses a source that resolves to a directory.
            Rename(temp, link);
            AtomicFile.SyncDirectory(Path.GetDirectoryName(link)!);
        }
        catch
        {
            File.Delete(temp);
            throw;
        }
    }

    private static void Rename(string from, string to)
    {
        if (NativeRename(from, to) != 0)
        {
            throw new IOException($"cannot rename {from} to {to} (errno {Marshal.GetLastPInvokeError()})");
        }
    }

    [LibraryImport("libc", EntryPoint = "rename", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int NativeRename(string from, string to);

    private void RemoveIconVersions(string origin, string? keep)
    {
        string icons = Path.Combine(Root, "icons");
        if (!Directory.Exists(icons))
        {
            return;
        }

        foreach (string directory in Directory.EnumerateDirectories(icons, $".{origin}.*"))
        {
            if (Path.GetFileName(directory) != keep && new FileInfo(directory).LinkTarget is null)
            {
                Directory.Delete(directory, recursive: true);
            }
        }
    }

    private static void Check(string origin)
    {
        if (!CatalogOrigin.IsOurs(origin))
        {
            throw new ArgumentException($"'{origin}' is not an origin this daemon writes", nameof(origin));
        }
    }
}
