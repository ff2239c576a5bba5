using Distri.Core.SquashFs.Reading;

namespace Distrid.FileSystem.Images;

/// <summary>
/// Every image /ro has shown, by slot (see <see cref="NodeIds"/>). Slots are given per full name and never reused
/// during the daemon's life. At most <c>maxOpen</c> images are open at once: opening one more closes the least
/// recently used image that no request is reading.
/// </summary>
internal sealed class ImageTable(int maxOpen, SquashFsReadOptions readOptions) : IDisposable
{
    private readonly Lock _tableLock = new();
    private readonly Dictionary<string, ImageHandle> _byName = new(StringComparer.Ordinal);
    private ImageHandle?[] _slots = new ImageHandle?[256];
    private int _nextSlot = 1;
    private int _openCount;
    private long _clock;

    /// <summary>
    /// The handle of <paramref name="fullName"/>, created with a new slot the first time, and again when the file at
    /// <paramref name="path"/> is no longer the one the handle was made for (<paramref name="identity"/> differs: a
    /// reinstall renamed a fresh copy over a damaged image). The old handle keeps its slot, so programs that hold its
    /// nodes keep reading what they read; new lookups reach the new image.
    /// </summary>
    public ImageHandle GetOrAdd(string fullName, string path, Distrid.Store.ImageIdentity? identity = null, string? contentDigest = null)
    {
        lock (_tableLock)
        {
            if (_byName.TryGetValue(fullName, out var existing) && existing.Path == path)
            {
                if (identity is null || existing.Identity is null || existing.Identity == identity)
                {
                    // A handle restored from a predecessor (no identity yet) adopts the file's.
                    existing.Identity ??= identity;
                    existing.ContentDigest ??= contentDigest;
                    return existing;
                }
            }

            if (_nextSlot > NodeIds.MaxSlot)
            {
                throw new InvalidOperationException("no image slots left");
            }

            var added = AddNew(fullName, path, identity);
            added.ContentDigest = contentDigest;
            return added;
        }
    }

    /// <summary>Assigns the next slot; the caller holds the table lock.</summary>
    private ImageHandle AddNew(string fullName, string path, Distrid.Store.ImageIdentity? identity = null)
    {
        var handle = new ImageHandle(_nextSlot, fullName, path, readOptions) { Identity = identity };
        if (_nextSlot == _slots.Length)
        {
            var grown = new ImageHandle?[_slots.Length * 2];
            Array.Copy(_slots, grown, _slots.Length);
            Volatile.Write(ref _slots, grown);
        }

        _slots[_nextSlot] = handle;
        _byName[fullName] = handle;
        Volatile.Write(ref _nextSlot, _nextSlot + 1);
        return handle;
    }

    /// <summary>The next slot <see cref="GetOrAdd"/> would give: slots below it are assigned.</summary>
    public int NextSlot => Volatile.Read(ref _nextSlot);

    /// <summary>
    /// Gives <paramref name="fullName"/> at <paramref name="path"/> exactly slot <paramref name="slot"/>, which must be
    /// <see cref="NextSlot"/>: how a successor daemon re-creates its predecessor's slots (the kernel still holds
    /// node ids made of them) before it assigns any of its own.
    /// </summary>
    public void Restore(int slot, string fullName, string path)
    {
        lock (_tableLock)
        {
            if (slot != _nextSlot || slot > NodeIds.MaxSlot)
            {
                throw new InvalidDataException($"image slot {slot} restored out of order (next is {_nextSlot})");
            }

            _ = AddNew(fullName, path);
        }
    }

    public ImageHandle? Get(int slot)
    {
        var slots = Volatile.Read(ref _slots);
        return (uint)slot < (uint)slots.Length ? slots[slot] : null;
    }

    /// <summary>Leases the image of <paramref name="handle"/>, making room among open images when it opens.</summary>
    public SquashFsImage? Acquire(ImageHandle handle)
    {
        var image = handle.Acquire(Interlocked.Increment(ref _clock), out bool opened);
        if (opened && Interlocked.Increment(ref _openCount) > maxOpen)
        {
            EvictLeastRecentlyUsed(except: handle);
        }

        return image;
    }

    public int OpenCount => Volatile.Read(ref _openCount);

    private void EvictLeastRecentlyUsed(ImageHandle except)
    {
        lock (_tableLock)
        {
            while (Volatile.Read(ref _openCount) > maxOpen)
            {
                var victim = _byName.Values.Where(h => h != except && h.IsOpen).MinBy(h => h.LastUse);
                if (victim is null || !victim.TryClose())
                {
                    return; // everything open is in use right now; try again on the next open
                }

                Interlocked.Decrement(ref _openCount);
            }
        }
    }

    public void Dispose()
    {
        lock (_tableLock)
        {
            foreach (var handle in _byName.Values)
            {
                handle.Dispose();
            }
        }
    }
}
