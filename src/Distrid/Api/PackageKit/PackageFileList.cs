using System.Text;
using Distri.Core.SquashFs.Reading;
using Distrid.FileSystem.Exchange;
using Distrid.FileSystem.Manifests;
using Distrid.Store;

namespace Distrid.Api.PackageKit;

/// <summary>
/// The files of a package in the store, for GetFiles: the manifest the daemon cached when it mounted the image
/// (else read from the image itself), as paths under the package's own directory <c>/ro/&lt;fullname&gt;/</c>.
/// A package only offered by a mirror has no list until it is downloaded.
/// </summary>
internal static class PackageFileList
{
    public static IReadOnlyList<string>? Files(PackageStore store, ManifestCache manifests, string mountpoint, string fullName)
    {
        var stored = store.Scan().FirstOrDefault(p => p.FullName == fullName);
        if (stored is null)
        {
            return null;
        }

        var manifest = manifests.TryLoad(stored.FullName, stored.Identity) ?? Read(stored.ImagePath);
        string root = Path.Combine(mountpoint, fullName);
        return [.. manifest.Entries.Where(e => !e.IsDirectory).Select(e => root + "/" + Encoding.UTF8.GetString(e.Path))];
    }

    private static PackageManifest Read(string imagePath)
    {
        using var image = SquashFsImage.Open(imagePath);
        return ManifestBuilder.Build(image);
    }
}
