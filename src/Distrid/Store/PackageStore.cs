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

    /// <summary>Lists the store's images, sorted by full name. Bad names are logged and skipped.</summary>
    public IReadOnlyList<StoredPackage> Scan()
    {
        System.IO.Directory.CreateDirectory(Directory);
        var packages = new List<StoredPackage>();
        foreach (string path in System.IO.Directory.EnumerateFiles(Directory, "*" + PackageMetadata.ImageExtension))
        {
            string fullName = Path.GetFileName(path)[..^PackageMetadata.ImageExtension.Length];
            if (!PackageName.TryParse(fullName, out var name, out string? error))
            {
                logger.LogWarning("store: ignoring {Path}: {Error}", path, error);
                continue;
            }

            if (!TryIdentify(path, out var identity))
            {
                continue;
            }

            packages.Add(new StoredPackage(name, path, identity.Size, identity, ReadMetadata(path, fullName)));
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

    private PackageMetadata? ReadMetadata(string imagePath, string fullName)
    {
        string metaPath = Path.Combine(Path.GetDirectoryName(imagePath)!, fullName + PackageMetadata.MetadataExtension);
        if (!File.Exists(metaPath))
        {
            return null;
        }

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
