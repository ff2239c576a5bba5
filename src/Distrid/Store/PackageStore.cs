using System.Text.Json;
using Distri.Core.Packages;
using Microsoft.Extensions.Logging;
using Tmds.Linux;
using static Tmds.Linux.LibC;

namespace Distrid.Store;

/// <summary>
/// The image store directory: every <c>&lt;fullname&gt;.squashfs</c> with its <c>.meta.json</c>. Files with other
/// names (downloads in progress, temporary files) are never shown.
/// </summary>
public sealed class PackageStore(string directory, ILogger<PackageStore> logger)
{
    public string Directory { get; } = directory;

    /// <summary>Lists the store's images with their metadata, sorted by full name. Bad names are logged and skipped.</summary>
    public IReadOnlyList<StoredPackage> Scan() => Scan(withMetadata: true);

    /// <summary>
    /// Lists the store's images without reading their <c>.meta.json</c> (Metadata is null): what /ro needs, and all
    /// a start with 10,000 images can afford.
    /// </summary>
    public IReadOnlyList<StoredPackage> ScanImages() => Scan(withMetadata: false);

    private List<StoredPackage> Scan(bool withMetadata)
    {
        System.IO.Directory.CreateDirectory(Directory);
        // One listing gives the images and which of them have metadata (no stat per .meta.json).
        var images = new List<string>();
        var metadata = withMetadata ? new HashSet<string>(StringComparer.Ordinal) : null;
        foreach (string path in System.IO.Directory.EnumerateFiles(Directory))
        {
            string file = Path.GetFileName(path);
            if (file.EndsWith(PackageMetadata.ImageExtension, StringComparison.Ordinal))
            {
                images.Add(file[..^PackageMetadata.ImageExtension.Length]);
            }
            else if (metadata is not null && file.EndsWith(PackageMetadata.MetadataExtension, StringComparison.Ordinal))
            {
                metadata.Add(file[..^PackageMetadata.MetadataExtension.Length]);
            }
        }

        var packages = new List<StoredPackage>(images.Count);
        foreach (string fullName in images)
        {
            if (!PackageName.TryParse(fullName, out var name, out string? error))
            {
                logger.LogWarning("store: ignoring {Path}: {Error}", ImagePath(fullName), error);
                continue;
            }

            string path = ImagePath(fullName);
            if (!TryIdentify(path, out var identity))
            {
                continue;
            }

            var meta = metadata is not null && metadata.Contains(fullName) ? ReadMetadata(fullName) : null;
            packages.Add(new StoredPackage(name, path, identity.Size, identity, meta));
        }

        packages.Sort((a, b) => string.CompareOrdinal(a.FullName, b.FullName));
        return packages;
    }

    public string ImagePath(string fullName) => Path.Combine(Directory, fullName + PackageMetadata.ImageExtension);

    public string MetadataPath(string fullName) => Path.Combine(Directory, fullName + PackageMetadata.MetadataExtension);

    /// <summary>Copies a local image into the store under its full name: hidden temporary file, fsync, rename.</summary>
    public void Import(string sourcePath, PackageMetadata metadata)
    {
        System.IO.Directory.CreateDirectory(Directory);
        string target = ImagePath(metadata.FullName);
        string temporary = Path.Combine(Directory, "." + metadata.FullName + ".import.tmp");
        using (var source = File.OpenRead(sourcePath))
        using (var destination = new FileStream(temporary, FileMode.Create, FileAccess.Write))
        {
            source.CopyTo(destination, 1 << 20);
            destination.Flush(flushToDisk: true);
        }

        if (metadata.Sha256.Length > 0 && PackageBuilder.Sha256File(temporary) != metadata.Sha256)
        {
            File.Delete(temporary);
            throw new InvalidDataException($"{sourcePath}: sha256 does not match its metadata");
        }

        PackageBuilder.WriteMetadata(metadata, MetadataPath(metadata.FullName));
        File.Move(temporary, target, overwrite: true);
    }

    /// <summary>Removes an image and its metadata. A reader that has it open keeps reading the unlinked file.</summary>
    public void Delete(string fullName)
    {
        File.Delete(ImagePath(fullName));
        File.Delete(MetadataPath(fullName));
    }

    private PackageMetadata? ReadMetadata(string fullName)
    {
        string metaPath = MetadataPath(fullName);
        try
        {
            using var stream = File.OpenRead(metaPath);
            var meta = JsonSerializer.Deserialize(stream, PackageMetadataJsonContext.Default.PackageMetadata);
            return meta?.FullName == fullName ? meta : null;
        }
        catch (Exception e) when (e is JsonException or IOException)
        {
            logger.LogWarning("store: unreadable metadata {Path}: {Error}", metaPath, e.Message);
            return null;
        }
    }

    internal static unsafe bool TryIdentify(string path, out ImageIdentity identity)
    {
        stat st;
        byte[] bytes = System.Text.Encoding.UTF8.GetBytes(path + "\0");
        fixed (byte* p = bytes)
        {
            if (stat(p, &st) != 0)
            {
                identity = default;
                return false;
            }
        }

        identity = new ImageIdentity(st.st_dev, st.st_ino, st.st_size, (st.st_mtim.tv_sec * 1_000_000_000L) + st.st_mtim.tv_nsec);
        return true;
    }
}
