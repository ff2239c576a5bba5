using Distrid.FileSystem.Exchange;
using Distrid.Store;

namespace Distrid.FileSystem.Manifests;

/// <summary>
/// Manifests on disk in the state directory, all in one append-only file keyed by each image's
/// <see cref="ImageIdentity"/>: a daemon start reads this one file instead of every image (and instead of one small
/// file per image, as before: 10,000 opens and 41 MB of 4 KiB blocks for 10,000 images). A record that is missing,
/// stale or damaged is simply rebuilt from the image; a torn tail (a crash during an append) is cut off before the
/// next append. A cache: nothing is fsynced.
/// </summary>
/// <remarks>
/// The file: <c>DMP1</c>, then records of <c>u32</c> LE payload length and the payload: <c>u64</c> device,
/// <c>u64</c> inode, <c>i64</c> size, <c>i64</c> mtime in ns, <c>u8</c> name length, the full name (UTF-8),
/// <c>i32</c> entry count and the entries in <see cref="PackageManifest"/>'s encoding. A later record of the same
/// identity wins. The file is read on first use and held until <see cref="Release"/> (after each publish); it is
/// rewritten with only the live records when dead ones take more than half of it.
/// </remarks>
internal sealed class ManifestCache(string directory)
{
    public const string FileName = "manifests.pack";

    /// <summary>Dead records are dropped only once they take at least this much (and more than the live ones).</summary>
    private const long CompactionFloorBytes = 64 * 1024;

    private readonly Lock _lock = new();
    private ManifestPack? _pack;

    public string Directory { get; } = directory;

    public string PackPath => Path.Combine(Directory, FileName);

    public PackageManifest? TryLoad(string fullName, ImageIdentity identity)
    {
        lock (_lock)
        {
            return Loaded().TryGet(fullName, identity);
        }
    }

    public void Save(string fullName, ImageIdentity identity, PackageManifest manifest)
    {
        byte[] record = ManifestPack.EncodeRecord(fullName, identity, manifest);
        lock (_lock)
        {
            Loaded().Append(record, identity, fullName, manifest);
        }
    }

    /// <summary>
    /// Rewrites the file without the records of images not in <paramref name="live"/> when those take more than half
    /// of it (removed and replaced images leave such records behind).
    /// </summary>
    public void Compact(IReadOnlySet<ImageIdentity> live)
    {
        lock (_lock)
        {
            var pack = Loaded();
            long liveBytes = pack.LiveBytes(live);
            if (pack.Length - liveBytes > Math.Max(liveBytes, CompactionFloorBytes))
            {
                byte[] compacted = pack.Rewrite(live);
                string temporary = PackPath + ".tmp";
                File.WriteAllBytes(temporary, compacted);
                pack.Dispose();
                File.Move(temporary, PackPath, overwrite: true);
                _pack = ManifestPack.Parse(PackPath, compacted);
            }
        }
    }

    /// <summary>Forgets the loaded file (its memory); the next lookup reads it again.</summary>
    public void Release()
    {
        lock (_lock)
        {
            _pack?.Dispose();
            _pack = null;
        }
    }

    private ManifestPack Loaded()
    {
        if (_pack is null)
        {
            byte[] bytes;
            try
            {
                bytes = File.ReadAllBytes(PackPath);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                bytes = [];
            }

            _pack = ManifestPack.Parse(PackPath, bytes);
        }

        return _pack;
    }
}
