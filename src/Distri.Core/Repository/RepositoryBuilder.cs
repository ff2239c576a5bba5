using System.Buffers;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using Distri.Core.AppStream;
using Distri.Core.Packages;
using ZstdSharp;

namespace Distri.Core.Repository;

/// <summary>What <see cref="RepositoryBuilder"/> wrote.</summary>
public sealed record RepositoryBuildResult(RepositoryIndex Index, string IndexPath, string? SignaturePath, string? KeyId)
{
    /// <summary>Components in the AppStream catalog (0: the mirror has none).</summary>
    public int AppStreamComponents { get; init; }

    /// <summary>Metainfo, desktop files or icons that were skipped, one line each, naming the package.</summary>
    public IReadOnlyList<string> Warnings { get; init; } = [];
}

/// <summary>
/// Turns a directory of packed images (<c>pkg/&lt;fullname&gt;.squashfs</c> with <c>&lt;fullname&gt;.meta.json</c>
/// beside each) into a mirror: recomputes each image's size and sha256 (rewriting its meta.json), writes the zstd
/// transport copy, the AppStream catalog of the packages' metainfo (<see cref="CatalogBuilder"/>), then
/// <c>index.json</c> and, given a key, <c>index.json.sig</c>. The output is reproducible: entries
/// are sorted, the timestamp comes from SOURCE_DATE_EPOCH or the newest image, zstd runs single-threaded at a fixed
/// level. (ECDSA signatures are randomized, so only the .sig file differs between two builds.)
/// </summary>
public sealed class RepositoryBuilder
{
    private const int BufferSize = 1 << 20;
    private const int MaxMetadataSize = 1 << 20;

    /// <summary>zstd level of the transport copies; 19 is slow to build and fast to download and decompress.</summary>
    public int ZstdLevel { get; init; } = 19;

    /// <summary>The index's "generated" time; null = SOURCE_DATE_EPOCH, else the newest image's mtime.</summary>
    public DateTimeOffset? Generated { get; init; }

    /// <summary>Images compressed at once (each compression is single-threaded so that output reproduces).</summary>
    public int Parallelism { get; init; } = Environment.ProcessorCount;

    /// <summary>Builds <paramref name="repoDir"/> with default settings; <paramref name="keyPrefix"/> is PREFIX or PREFIX.key.</summary>
    public static RepositoryBuildResult Build(string repoDir, string? keyPrefix) => new RepositoryBuilder().Run(repoDir, keyPrefix);

    public RepositoryBuildResult Run(string repoDir, string? keyPrefix)
    {
        // Load the key first: a typo in --key should fail before minutes of compression.
        using var key = keyPrefix is null ? null : RepositoryKey.LoadPrivate(PrivateKeyPath(keyPrefix));

        string pkgDir = Path.Combine(repoDir, RepositoryLayout.PackageDirectory);
        if (!Directory.Exists(pkgDir))
        {
            throw new RepositoryException($"{pkgDir}: no such directory (expected {RepositoryLayout.PackageDirectory}/<fullname>.squashfs files)");
        }

        string[] images = [.. Directory.EnumerateFiles(pkgDir, "*" + PackageMetadata.ImageExtension).Order(StringComparer.Ordinal)];
        var entries = new IndexEntry[images.Length];
        var errors = new Exception?[images.Length];
        Parallel.For(0, images.Length, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, Parallelism) }, i =>
        {
            try
            {
                entries[i] = BuildEntry(images[i]);
            }
            catch (Exception e)
            {
                errors[i] = e;
            }
        });

        // Report the first bad image in name order, not whichever thread failed first, and not as an AggregateException.
        if (errors.FirstOrDefault(e => e is not null) is { } first)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(first);
        }

        var generated = Generated ?? DefaultGenerated(images);
        var catalog = new CatalogBuilder { Timestamp = generated, Parallelism = Parallelism }
            .Build(images.Select(i => (PackageName.Parse(FullNameOf(i)), i)));
        var index = new RepositoryIndex
        {
            FormatVersion = RepositoryIndex.CurrentFormatVersion,
            Generated = generated,
            Packages = entries,
            AppStream = PublishCatalog(repoDir, catalog),
        };
        IndexValidator.Validate(index);

        byte[] indexBytes = index.ToUtf8Json();
        string indexPath = Path.Combine(repoDir, RepositoryLayout.IndexFile);
        string signaturePath = Path.Combine(repoDir, RepositoryLayout.SignatureFile);
        if (key is null)
        {
            // A stale signature of an older index would only make clients fail with "bad signature".
            File.Delete(signaturePath);
            AtomicFile.Write(indexPath, indexBytes);
            return new RepositoryBuildResult(index, indexPath, null, null) { AppStreamComponents = catalog.Components, Warnings = catalog.Warnings };
        }

        // Signature first: a client that sees the new index then finds its signature (the reverse order would let a
        // client fetch the new index with the old signature, which is a harmless but confusing failure).
        AtomicFile.Write(signaturePath, IndexSignature.Create(key, indexBytes).ToUtf8Json());
        AtomicFile.Write(indexPath, indexBytes);
        return new RepositoryBuildResult(index, indexPath, signaturePath, key.KeyId) { AppStreamComponents = catalog.Components, Warnings = catalog.Warnings };
    }

    public static string PrivateKeyPath(string keyPrefixOrPath) =>
        keyPrefixOrPath.EndsWith(RepositoryKey.PrivateKeyExtension, StringComparison.Ordinal)
            ? keyPrefixOrPath
            : keyPrefixOrPath + RepositoryKey.PrivateKeyExtension;

    private static string FullNameOf(string imagePath) => Path.GetFileName(imagePath)[..^PackageMetadata.ImageExtension.Length];

    /// <summary>
    /// Writes the catalog and its icons (before the index that names them, as images are) and returns their index
    /// entry; with no component, removes a catalog an earlier build left, so the mirror never serves a stale one.
    /// </summary>
    private static AppStreamFiles? PublishCatalog(string repoDir, CatalogBuildResult catalog)
    {
        string catalogPath = Path.Combine(repoDir, AppStreamLayout.CatalogPath);
        string iconsPath = Path.Combine(repoDir, AppStreamLayout.IconsPath);
        string directory = Path.Combine(repoDir, AppStreamLayout.Directory);
        if (catalog.Components == 0)
        {
            if (Directory.Exists(directory))
            {
                File.Delete(catalogPath);
                File.Delete(iconsPath);
            }

            return null;
        }

        Directory.CreateDirectory(directory);
        WriteIfChanged(iconsPath, catalog.IconsTarGz);
        WriteIfChanged(catalogPath, catalog.CatalogGz);
        return new AppStreamFiles { Catalog = Describe(catalog.CatalogGz), Icons = Describe(catalog.IconsTarGz) };
    }

    private static void WriteIfChanged(string path, byte[] contents)
    {
        if (!File.Exists(path) || !File.ReadAllBytes(path).AsSpan().SequenceEqual(contents))
        {
            AtomicFile.Write(path, contents);
        }
    }

    private static TransportFile Describe(byte[] contents) =>
        new() { Size = contents.Length, Sha256 = Convert.ToHexStringLower(SHA256.HashData(contents)) };

    private IndexEntry BuildEntry(string imagePath)
    {
        string fileName = Path.GetFileName(imagePath);
        string fullName = FullNameOf(imagePath);
        string where = $"{RepositoryLayout.PackageDirectory}/{fileName}";
        if (!PackageName.TryParse(fullName, out _, out string? nameError))
        {
            throw new RepositoryException($"{where}: file name is not a package full name ({nameError})");
        }

        string metaPath = Path.ChangeExtension(imagePath, null) + PackageMetadata.MetadataExtension;
        var meta = ReadMetadata(metaPath, fullName);
        foreach (string dependency in meta.Dependencies)
        {
            if (!PackageName.TryParse(dependency, out _, out string? depError))
            {
                throw new RepositoryException($"{Path.GetFileName(metaPath)}: dependency {depError}");
            }
        }

        (long size, string sha256) = HashFile(imagePath);
        if (size == 0)
        {
            throw new RepositoryException($"{where}: empty image");
        }

        var updated = meta with { Size = size, Sha256 = sha256 };
        byte[] metaBytes = JsonSerializer.SerializeToUtf8Bytes(updated, PackageMetadataJsonContext.Default.PackageMetadata);
        if (!File.Exists(metaPath) || !File.ReadAllBytes(metaPath).AsSpan().SequenceEqual(metaBytes))
        {
            AtomicFile.Write(metaPath, metaBytes);
        }

        string zstPath = imagePath + ".zst";
        if (!ZstMatches(zstPath, size, sha256))
        {
            Compress(imagePath, zstPath);
        }

        (long zstSize, string zstSha256) = HashFile(zstPath);
        return IndexEntry.FromMetadata(updated, new TransportFile { Size = zstSize, Sha256 = zstSha256 });
    }

    private static PackageMetadata ReadMetadata(string metaPath, string fullName)
    {
        string name = Path.GetFileName(metaPath);
        if (!File.Exists(metaPath))
        {
            throw new RepositoryException($"{RepositoryLayout.PackageDirectory}/{name}: missing (written by 'districtl pack' beside the image)");
        }

        if (new FileInfo(metaPath).Length > MaxMetadataSize)
        {
            throw new RepositoryException($"{name}: larger than {MaxMetadataSize} bytes");
        }

        PackageMetadata? meta;
        try
        {
            meta = JsonSerializer.Deserialize(File.ReadAllBytes(metaPath), PackageMetadataJsonContext.Default.PackageMetadata);
        }
        catch (JsonException e)
        {
            throw new RepositoryException($"{name}: not valid package metadata ({e.Message})", e);
        }

        if (meta is null)
        {
            throw new RepositoryException($"{name}: not valid package metadata");
        }

        // System.Text.Json leaves absent init-only properties null (not their initializers): absent means empty here.
        meta = meta with { Summary = meta.Summary ?? "", Dependencies = meta.Dependencies ?? [] };

        return meta.FullName == fullName
            ? meta
            : throw new RepositoryException($"{name}: fullName {IndexValidator.Quote(meta.FullName)} does not match the file name");
    }

    /// <summary>Whether an existing transport copy decompresses to exactly the image (then the slow compression is skipped).</summary>
    private static bool ZstMatches(string zstPath, long size, string sha256)
    {
        if (!File.Exists(zstPath))
        {
            return false;
        }

        byte[] buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        try
        {
            using var file = new FileStream(zstPath, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 0);
            using var zstd = new DecompressionStream(file, BufferSize);
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            long total = 0;
            int n;
            while ((n = zstd.Read(buffer, 0, BufferSize)) > 0)
            {
                total += n;
                if (total > size)
                {
                    return false;
                }

                hash.AppendData(buffer, 0, n);
            }

            return total == size && Convert.ToHexStringLower(hash.GetHashAndReset()) == sha256;
        }
        catch (Exception e) when (e is ZstdException or IOException)
        {
            return false;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private void Compress(string imagePath, string zstPath)
    {
        string temp = AtomicFile.TempPathFor(Path.GetFullPath(zstPath));
        try
        {
            using (var input = new FileStream(imagePath, FileMode.Open, FileAccess.Read, FileShare.Read, BufferSize))
            using (var output = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, BufferSize))
            {
                using (var zstd = new CompressionStream(output, ZstdLevel, BufferSize, leaveOpen: true))
                {
                    input.CopyTo(zstd, BufferSize);
                }

                output.Flush(flushToDisk: true);
            }

            AtomicFile.CommitRename(temp, zstPath);
        }
        catch
        {
            File.Delete(temp);
            throw;
        }
    }

    private static (long Size, string Sha256) HashFile(string path)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, BufferSize);
        using var sha = SHA256.Create();
        byte[] digest = sha.ComputeHash(file);
        return (file.Length, Convert.ToHexStringLower(digest));
    }

    private static DateTimeOffset DefaultGenerated(string[] images)
    {
        string? epoch = Environment.GetEnvironmentVariable("SOURCE_DATE_EPOCH");
        if (!string.IsNullOrEmpty(epoch) && long.TryParse(epoch, NumberStyles.None, CultureInfo.InvariantCulture, out long seconds))
        {
            return DateTimeOffset.FromUnixTimeSeconds(seconds);
        }

        long newest = 0;
        foreach (string image in images)
        {
            newest = Math.Max(newest, new DateTimeOffset(File.GetLastWriteTimeUtc(image)).ToUnixTimeSeconds());
        }

        return DateTimeOffset.FromUnixTimeSeconds(newest);
    }
}
