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

    /// <summary>The handle of <paramref name="fullName"/>, created with a new slot the first time.</summary>
    public ImageHandle GetOrAdd(string fullName, string path)
    {
        lock (_tableLock)
        {
            if (_byName.TryGetValue(fullName, out var existing) && existing.Path == path)
            {
                return existing;
            }

            if (_nextSlot > NodeIds.MaxSlot)
            {
                throw new InvalidOperationException("no image slots left");
            }

            var handle = new ImageHandle(_nextSlot, fullName, path, readOptions);
            if (_nextSlot == _slots.Length)
            {
                var grown = new ImageHandle?[_slots.Length * 2];
                Array.Copy(_slots, grown, _slots.Length);
                Volatile.Write(ref _slots, grown);
            }

            _slots[_nextSlot++] = handle;
            _byName[fullName] = handle;
            return handle;
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
