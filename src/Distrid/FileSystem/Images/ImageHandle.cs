using Distri.Core.SquashFs;
using Distri.Core.SquashFs.Reading;

namespace Distrid.FileSystem.Images;

/// <summary>
/// One store image under /ro, opened on first use and closed again when the table needs room. Readers lease the
/// open <see cref="SquashFsImage"/> for the length of one request, so an image is never closed under a reader.
/// </summary>
internal sealed class ImageHandle(int slot, string fullName, string path, SquashFsReadOptions readOptions)
{
    private readonly Lock _openLock = new();
    private SquashFsImage? _image;
    private int _leases;
    private long _lastUse;

    public int Slot { get; } = slot;

    public string FullName { get; } = fullName;

    public string Path { get; } = path;

    /// <summary>Which file at <see cref="Path"/> this handle serves; null until known (a handle restored at handover).</summary>
    public Distrid.Store.ImageIdentity? Identity { get; set; }

    /// <summary>The image's sha256 from its metadata, when the store knows it (names its files in the passthrough cache).</summary>
    public string? ContentDigest { get; set; }

    /// <summary>
    /// What names this image's files in the passthrough cache, computed once: its sha256, or else (no metadata) the
    /// identity of its file, which changes when the file is replaced. Null while neither is known.
    /// </summary>
    public string? CacheKey
    {
        get
        {
            if (Volatile.Read(ref _cacheKey) is { } key)
            {
                return key;
            }

            key = ContentDigest is { Length: 64 } digest && digest.All(char.IsAsciiHexDigit) ? digest.ToLowerInvariant()
                : Identity is { } identity ? "id-" + identity
                : null;
            Volatile.Write(ref _cacheKey, key);
            return key;
        }
    }

    private string? _cacheKey;

    /// <summary>Why the image cannot be opened (corrupt, missing); null while it is healthy or not yet tried.</summary>
    public string? Broken { get; private set; }

    public bool IsOpen => Volatile.Read(ref _image) is not null;

    public long LastUse => Volatile.Read(ref _lastUse);

    /// <summary>
    /// Leases the open image; pair every successful call with <see cref="Release"/>. Returns null (and leaves no
    /// lease) when the image cannot be opened. <paramref name="opened"/> says whether this call opened it.
    /// </summary>
    public SquashFsImage? Acquire(long now, out bool opened)
    {
        opened = false;
        // Lease first, then read: together with the evictor's "clear, then check leases" this never hands out a
        // closed image (both sides use full fences).
        Interlocked.Increment(ref _leases);
        var image = Volatile.Read(ref _image);
        if (image is null)
        {
            image = OpenSlow(out opened);
            if (image is null)
            {
                Interlocked.Decrement(ref _leases);
                return null;
            }
        }

        if (LastUse != now)
        {
            Volatile.Write(ref _lastUse, now);
        }

        return image;
    }

    public void Release() => Interlocked.Decrement(ref _leases);

    /// <summary>Closes the image if nobody holds a lease; returns whether it did.</summary>
    public bool TryClose()
    {
        lock (_openLock)
        {
            var image = Interlocked.Exchange(ref _image, null);
            if (image is null)
            {
                return false;
            }

            if (Volatile.Read(ref _leases) != 0)
            {
                Volatile.Write(ref _image, image);
                return false;
            }

            image.Dispose();
            return true;
        }
    }

    private SquashFsImage? OpenSlow(out bool opened)
    {
        opened = false;
        lock (_openLock)
        {
            if (_image is { } existing)
            {
                return existing;
            }

            if (Broken is not null)
            {
                return null;
            }

            try
            {
                var image = SquashFsImage.Open(Path, readOptions);
                if (image.Superblock.DirectoryTableStart - image.Superblock.InodeTableStart > (NodeIds.InodeRefMask >> 16))
                {
                    image.Dispose();
                    Broken = "inode table larger than 16 MiB is not supported under /ro";
                    return null;
                }

                Volatile.Write(ref _image, image);
                opened = true;
                return image;
            }
            catch (Exception e) when (e is SquashFsException or IOException or UnauthorizedAccessException)
            {
                Broken = e.Message;
                return null;
            }
        }
    }

    public void Dispose()
    {
        lock (_openLock)
        {
            Interlocked.Exchange(ref _image, null)?.Dispose();
        }
    }
}
