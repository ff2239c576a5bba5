using System.Text;
using Microsoft.Win32.SafeHandles;

namespace Distrid.FileSystem.Passthrough;

/// <summary>
/// The on-disk cache of decompressed /ro files that passthrough opens are backed by: one file per (image, SquashFS
/// inode), named <c>{image key}-{inode number}</c>, holding exactly the file's bytes, so the kernel can read and map
/// it at the same offsets. Images are immutable, so an entry never needs invalidating; it only goes when the size cap
/// needs room (least recently used first). A file is served only if it carries the stamp the writer set before its
/// fsync and rename (<see cref="CacheFileCalls.StampAttribute"/>) and has the inode's length: a torn write never has a
/// final name, and a foreign or damaged file is deleted instead of served.
/// </summary>
internal sealed class PassthroughCache
{
    /// <summary>Prefix of files being written; whatever carries it at start is a dead writer's and is deleted.</summary>
    public const string TemporaryPrefix = ".tmp-";

    private const int MaxNameLength = 200;

    private readonly Lock _lock = new();
    private readonly Dictionary<string, CacheEntry> _entries = new(StringComparer.Ordinal);
    private readonly Action<string> _log;
    private long _bytes;

    private PassthroughCache(string directory, long maxBytes, long minFileBytes, Action<string> log)
    {
        Directory = directory;
        MaxBytes = maxBytes;
        MinFileBytes = minFileBytes;
        _log = log;
    }

    public string Directory { get; }

    /// <summary>The size cap: the sum of the entries' lengths stays at or below it.</summary>
    public long MaxBytes { get; }

    /// <summary>Files shorter than this are never cached (a READ or two each; not worth a file).</summary>
    public long MinFileBytes { get; }

    /// <summary>Bytes the entries hold now.</summary>
    public long Bytes
    {
        get
        {
            lock (_lock)
            {
                return _bytes;
            }
        }
    }

    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _entries.Count;
            }
        }
    }

    /// <summary>
    /// Opens the cache in <paramref name="directory"/>: creates it (recreates it when it cannot be listed), deletes a
    /// dead writer's temporary files and anything that is not a regular file with a valid name, and indexes the rest,
    /// oldest first, evicting down to the cap. Returns null (with one log line) when the directory is unusable.
    /// </summary>
    public static PassthroughCache? Open(string directory, long maxBytes, long minFileBytes, Action<string> log)
    {
        var cache = new PassthroughCache(directory, maxBytes, minFileBytes, log);
        try
        {
            cache.Load();
            return cache;
        }
        catch (Exception first) when (first is IOException or UnauthorizedAccessException)
        {
            try
            {
                // Unreadable (a file in its place, damaged): nothing in it is worth keeping.
                if (File.Exists(directory))
                {
                    File.Delete(directory);
                }
                else if (System.IO.Directory.Exists(directory))
                {
                    System.IO.Directory.Delete(directory, recursive: true);
                }

                cache = new PassthroughCache(directory, maxBytes, minFileBytes, log);
                cache.Load();
                log($"passthrough cache {directory} was unreadable ({first.Message}); recreated it empty");
                return cache;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                log($"passthrough cache {directory} is unusable ({e.Message}); /ro reads go through the daemon");
                return null;
            }
        }
    }

    /// <summary>The name of a file's entry: the image key and the SquashFS inode number.</summary>
    public static string EntryName(string imageKey, uint inodeNumber) => $"{imageKey}-{inodeNumber}";

    /// <summary>What a valid entry's stamp says: its name and length.</summary>
    public static byte[] Stamp(string name, long length) => Encoding.ASCII.GetBytes($"{name} {length}");

    /// <summary>The entry called <paramref name="name"/>, or null.</summary>
    public CacheEntry? Find(string name)
    {
        lock (_lock)
        {
            return _entries.GetValueOrDefault(name);
        }
    }

    /// <summary>
    /// Opens an entry for use as a backing file, if it is what its name promises: a regular file of
    /// <paramref name="length"/> bytes with the stamp for that name and length. Otherwise the file is deleted (one log
    /// line) and null returned.
    /// </summary>
    public SafeFileHandle? OpenVerified(CacheEntry entry, long length)
    {
        SafeFileHandle? file = null;
        string? problem;
        try
        {
            file = File.OpenHandle(entry.Path, FileMode.Open, FileAccess.Read, FileShare.Read);
            long actual = RandomAccess.GetLength(file);
            problem = actual != length ? $"it has {actual} bytes, the file {length}"
                : !CacheFileCalls.HasStamp(file, Stamp(entry.Name, length)) ? "it does not carry this cache's stamp for that name and length"
                : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            problem = e.Message;
        }

        if (problem is null)
        {
            return file;
        }

        file?.Dispose();
        _log($"passthrough cache: not serving {entry.Name} ({problem}); deleted it");
        Remove(entry, deleteFile: true);
        return null;
    }

    /// <summary>
    /// Makes room for a new entry of <paramref name="length"/> bytes by evicting the least recently used entries.
    /// Returns the evicted entries (their owners must drop their backing ids), or null when the entry can never fit.
    /// </summary>
    public List<CacheEntry>? MakeRoom(long length)
    {
        if (length > MaxBytes)
        {
            return null;
        }

        var evicted = new List<CacheEntry>();
        lock (_lock)
        {
            if (_bytes + length <= MaxBytes)
            {
                return evicted;
            }

            foreach (var entry in _entries.Values.OrderBy(e => Volatile.Read(ref e.LastUse)).ToList())
            {
                if (_bytes + length <= MaxBytes)
                {
                    break;
                }

                RemoveLocked(entry);
                evicted.Add(entry);
            }
        }

        foreach (var entry in evicted)
        {
            TryDelete(entry.Path);
        }

        return evicted;
    }

    /// <summary>Adds an entry whose file the writer has just renamed into place.</summary>
    public CacheEntry Add(string name, long length)
    {
        var entry = new CacheEntry(name, Path.Combine(Directory, name), length, Environment.TickCount64);
        lock (_lock)
        {
            if (_entries.Remove(name, out var previous))
            {
                _bytes -= previous.Length;
                previous.Evicted = true;
            }

            _entries[name] = entry;
            _bytes += length;
        }

        return entry;
    }

    /// <summary>Takes an entry out of the index, and its file off the disk when asked.</summary>
    public void Remove(CacheEntry entry, bool deleteFile)
    {
        lock (_lock)
        {
            RemoveLocked(entry);
        }

        if (deleteFile)
        {
            TryDelete(entry.Path);
        }
    }

    public string TemporaryPath(string name) => Path.Combine(Directory, TemporaryPrefix + name);

    private void RemoveLocked(CacheEntry entry)
    {
        if (_entries.TryGetValue(entry.Name, out var current) && ReferenceEquals(current, entry))
        {
            _entries.Remove(entry.Name);
            _bytes -= entry.Length;
        }

        entry.Evicted = true;
    }

    private void Load()
    {
        System.IO.Directory.CreateDirectory(Directory);
        var found = new List<(string Name, long Length, DateTime Written)>();
        foreach (var info in new DirectoryInfo(Directory).EnumerateFileSystemInfos())
        {
            if (info is FileInfo file && (file.Attributes & FileAttributes.ReparsePoint) == 0 && IsValidName(file.Name))
            {
                found.Add((file.Name, file.Length, file.LastWriteTimeUtc));
                continue;
            }

            // A dead writer's temporary file, a stray directory, a link, a name that is not ours: never served.
            if (info is DirectoryInfo directory && (directory.Attributes & FileAttributes.ReparsePoint) == 0)
            {
                directory.Delete(recursive: true);
            }
            else
            {
                info.Delete();
            }
        }

        long tick = Environment.TickCount64 - found.Count;
        foreach (var (name, length, _) in found.OrderBy(f => f.Written))
        {
            _entries[name] = new CacheEntry(name, Path.Combine(Directory, name), length, tick++);
            _bytes += length;
        }

        if (_bytes > MaxBytes)
        {
            MakeRoom(0);
        }
    }

    private static bool IsValidName(string name)
    {
        if (name.Length is 0 or > MaxNameLength || name.StartsWith(TemporaryPrefix, StringComparison.Ordinal))
        {
            return false;
        }

        int dash = name.LastIndexOf('-');
        return dash > 0 && dash < name.Length - 1
            && !name.AsSpan(dash + 1).ContainsAnyExcept("0123456789")
            && !name.AsSpan(0, dash).ContainsAnyExcept("0123456789abcdef-id");
    }

    private void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            _log($"passthrough cache: cannot delete {path}: {e.Message}");
        }
    }
}

/// <summary>One file of the cache. <see cref="Evicted"/> once it left the index (its file is gone or going).</summary>
internal sealed class CacheEntry(string name, string path, long length, long lastUse)
{
    public string Name { get; } = name;

    public string Path { get; } = path;

    public long Length { get; } = length;

    /// <summary>Environment.TickCount64 of the last passthrough open (eviction order).</summary>
    public long LastUse = lastUse;

    public volatile bool Evicted;
}
