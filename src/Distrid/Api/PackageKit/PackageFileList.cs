using System.Text;
using Distri.Core.SquashFs.Reading;
using Distrid.FileSystem.Exchange;
using Distrid.FileSystem.Manifests;
using Distrid.Store;

namespace Distrid.Api.PackageKit;

/// <summary>
/// The files of the packages in the store, for GetFiles and SearchFiles: the manifest the daemon cached when it
/// mounted an image (else read from the image itself), as paths under the package's own directory
/// <c>/ro/&lt;fullname&gt;/</c>. A package only offered by a mirror has no list until it is downloaded.
/// The store is scanned once per query.
/// </summary>
internal sealed class PackageFileList(PackageStore store, ManifestCache manifests, string mountpoint)
{
    private readonly Dictionary<string, StoredPackage> _stored = store.Scan().ToDictionary(p => p.FullName, StringComparer.Ordinal);

    /// <summary>The mountpoint with one trailing '/': what precedes a package's directory.</summary>
    public string Prefix { get; } = mountpoint.TrimEnd('/') + "/";

    /// <summary>Full paths (<c>/ro/zsh-amd64-5.9-3/bin/zsh</c>), or null when the image is not in the store.</summary>
    public IReadOnlyList<string>? Files(string fullName)
    {
        if (!_stored.TryGetValue(fullName, out var stored))
        {
            return null;
        }

        var manifest = manifests.TryLoad(stored.FullName, stored.Identity) ?? Read(stored.ImagePath);
        string root = Prefix + fullName + "/";
        var files = new List<string>(manifest.Count);
        foreach (var entry in manifest.Entries)
        {
            if (!entry.IsDirectory)
            {
                files.Add(root + Encoding.UTF8.GetString(entry.Path));
            }
        }

        return files;
    }

    private static PackageManifest Read(string imagePath)
    {
        using var image = SquashFsImage.Open(imagePath);
        return ManifestBuilder.Build(image);
    }
}
