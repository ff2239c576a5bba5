using System.Text;
using Distrid.Fuse.FileSystem;
using Distrid.Fuse.Protocol;

namespace Distrid.Tests.Fuse;

/// <summary>
/// A small in-memory read-only tree served by the FUSE tests. Lookups and reads allocate nothing (names are
/// decoded into stack memory and found through an alternate dictionary lookup). It counts lookups and forgets
/// per node the way a real node table must, and records the largest READ it was asked for.
/// </summary>
internal sealed class MemoryFileSystem : IFuseFileSystem
{
    public const uint Uid = 1234;
    public const uint Gid = 5678;
    public const long MtimeSeconds = 1_700_000_000;

    private readonly Lock _lock = new();
    private readonly Dictionary<ulong, MemoryNode> _nodes = [];
    private ulong _nextId = 1;
    private int _maxReadSize;
    private long _forgets;
    private bool _wentNegative;

    public MemoryFileSystem(bool withXattrs = true)
    {
        HasExtendedAttributes = withXattrs;
        Root = NewNode(0x4000 | 0b111_101_101, parent: null);
    }

    public MemoryNode Root { get; }

    public bool HasExtendedAttributes { get; }

    /// <summary>The largest size a READ request asked for.</summary>
    public int MaxReadSize => Volatile.Read(ref _maxReadSize);

    public long Forgets => Interlocked.Read(ref _forgets);

    /// <summary>Makes the next READ throw, to check the session turns exceptions into EIO.</summary>
    public bool ThrowOnNextRead { get; set; }

    /// <summary>Called after every successful READ (node, offset, bytes read, file size), e.g. to queue stores.</summary>
    public Action<ulong, long, int, long>? AfterRead { get; set; }

    /// <summary>Nodes whose lookup count is not zero, and whether any count ever went negative.</summary>
    public (int Referenced, bool WentNegative) LookupBalance()
    {
        lock (_lock)
        {
            return (_nodes.Values.Count(n => n.LookupCount != 0 && n != Root), _wentNegative);
        }
    }

    public MemoryNode AddDirectory(MemoryNode parent, string name) => Add(parent, name, NewNode(0x4000 | 0b111_101_101, parent));

    public MemoryNode AddFile(MemoryNode parent, string name, byte[] content)
    {
        MemoryNode node = NewNode(0x8000 | 0b110_100_100, parent);
        node.Content = content;
        return Add(parent, name, node);
    }

    public MemoryNode AddSymlink(MemoryNode parent, string name, string target)
    {
        MemoryNode node = NewNode(0xA000 | 0b111_111_111, parent);
        node.Content = Encoding.UTF8.GetBytes(target);
        return Add(parent, name, node);
    }

    public int Lookup(ulong parent, ReadOnlySpan<byte> name, ref FuseEntryOut entry)
    {
        Span<char> chars = stackalloc char[name.Length];
        int count = Encoding.UTF8.GetChars(name, chars);
        lock (_lock)
        {
            if (!_nodes.TryGetValue(parent, out MemoryNode? directory))
            {
                return -Errno.ENOENT;
            }

            if (!directory.ByName.GetAlternateLookup<ReadOnlySpan<char>>().TryGetValue(chars[..count], out MemoryNode? child))
            {
                return -Errno.ENOENT;
            }

            child.LookupCount++;
            FillEntry(child, ref entry);
            return 0;
        }
    }

    public void Forget(ulong node, ulong lookups)
    {
        Interlocked.Increment(ref _forgets);
        lock (_lock)
        {
            if (_nodes.TryGetValue(node, out MemoryNode? found))
            {
                found.LookupCount -= (long)lookups;
                _wentNegative |= found.LookupCount < 0;
            }
        }
    }

    public int GetAttr(ulong node, ref FuseAttrOut attr)
    {
        lock (_lock)
        {
            if (!_nodes.TryGetValue(node, out MemoryNode? found))
            {
                return -Errno.ENOENT;
            }

            attr.AttrTimeout = FuseTimeout.Immutable;
            FillAttr(found, ref attr.Attr);
            return 0;
        }
    }

    public int ReadLink(ulong node, Span<byte> destination)
    {
        MemoryNode? found = Find(node);
        if (found is null || !found.IsSymlink)
        {
            return -Errno.EINVAL;
        }

        found.Content.CopyTo(destination);
        return found.Content.Length;
    }

    public int Read(ulong node, ulong fileHandle, long offset, Span<byte> destination)
    {
        if (ThrowOnNextRead)
        {
            ThrowOnNextRead = false;
            throw new InvalidOperationException("injected failure");
        }

        int size = destination.Length;
        int current = Volatile.Read(ref _maxReadSize);
        while (size > current && Interlocked.CompareExchange(ref _maxReadSize, size, current) != current)
        {
            current = Volatile.Read(ref _maxReadSize);
        }

        MemoryNode? found = Find(node);
        if (found is null)
        {
            return -Errno.ENOENT;
        }

        byte[] content = found.Content;
        if (offset >= content.Length)
        {
            return 0;
        }

        int count = (int)Math.Min(destination.Length, content.Length - offset);
        content.AsSpan((int)offset, count).CopyTo(destination);
        AfterRead?.Invoke(node, offset, count, content.Length);
        return count;
    }

    /// <summary>The store thread's read: the bytes without the READ bookkeeping and without <see cref="AfterRead"/>.</summary>
    public int ReadForStore(ulong node, long offset, Span<byte> destination)
    {
        byte[]? content = Find(node)?.Content;
        if (content is null)
        {
            return -Errno.ENOENT;
        }

        if (offset >= content.Length)
        {
            return 0;
        }

        int count = (int)Math.Min(destination.Length, content.Length - offset);
        content.AsSpan((int)offset, count).CopyTo(destination);
        return count;
    }

    public int ReadDirectory(ulong node, ulong fileHandle, long offset, ref FuseDirectoryWriter writer)
    {
        lock (_lock)
        {
            if (!_nodes.TryGetValue(node, out MemoryNode? directory) || !directory.IsDirectory)
            {
                return -Errno.ENOTDIR;
            }

            // Cookies: 1 = ".", 2 = "..", 3 + i = the i-th child.
            FuseEntryOut entry = default;
            for (long position = offset; position < directory.Children.Count + 2; position++)
            {
                MemoryNode target;
                ReadOnlySpan<byte> name;
                if (position == 0)
                {
                    target = directory;
                    name = "."u8;
                }
                else if (position == 1)
                {
                    target = directory.Parent ?? directory;
                    name = ".."u8;
                }
                else
                {
                    (byte[] childName, MemoryNode child) = directory.Children[(int)position - 2];
                    target = child;
                    name = childName;
                }

                FillEntry(target, ref entry);
                DirectoryAddResult added = writer.TryAdd(name, position + 1, in entry);
                if (added == DirectoryAddResult.Full)
                {
                    break;
                }

                if (added == DirectoryAddResult.AddedWithLookup)
                {
                    target.LookupCount++;
                }
            }

            return 0;
        }
    }

    public int StatFs(ulong node, ref FuseStatFs stat)
    {
        stat.Blocks = 1000;
        stat.BlocksFree = 0;
        stat.BlocksAvailable = 0;
        stat.Files = 42;
        stat.FilesFree = 0;
        stat.BlockSize = 4096;
        stat.FragmentSize = 4096;
        stat.NameLength = 255;
        return 0;
    }

    public int GetExtendedAttribute(ulong node, ReadOnlySpan<byte> name, Span<byte> destination)
    {
        MemoryNode? found = Find(node);
        if (found is null)
        {
            return -Errno.ENOENT;
        }

        foreach ((byte[] key, byte[] value) in found.Xattrs)
        {
            if (name.SequenceEqual(key))
            {
                if (value.Length <= destination.Length)
                {
                    value.CopyTo(destination);
                }

                return value.Length;
            }
        }

        return -Errno.ENODATA;
    }

    public int ListExtendedAttributes(ulong node, Span<byte> destination)
    {
        MemoryNode? found = Find(node);
        if (found is null)
        {
            return -Errno.ENOENT;
        }

        int total = 0;
        foreach ((byte[] key, _) in found.Xattrs)
        {
            total += key.Length + 1;
        }

        if (total <= destination.Length)
        {
            int position = 0;
            foreach ((byte[] key, _) in found.Xattrs)
            {
                key.CopyTo(destination[position..]);
                destination[position + key.Length] = 0;
                position += key.Length + 1;
            }
        }

        return total;
    }

    private MemoryNode? Find(ulong node)
    {
        lock (_lock)
        {
            return _nodes.GetValueOrDefault(node);
        }
    }

    private MemoryNode NewNode(uint mode, MemoryNode? parent)
    {
        lock (_lock)
        {
            var node = new MemoryNode(_nextId++, mode, parent);
            _nodes.Add(node.Id, node);
            return node;
        }
    }

    private MemoryNode Add(MemoryNode parent, string name, MemoryNode node)
    {
        lock (_lock)
        {
            parent.ByName.Add(name, node);
            parent.Children.Add((Encoding.UTF8.GetBytes(name), node));
            if (node.IsDirectory)
            {
                parent.Nlink++;
            }

            return node;
        }
    }

    private static void FillEntry(MemoryNode node, ref FuseEntryOut entry)
    {
        entry.NodeId = node.Id;
        entry.Generation = 1;
        entry.EntryTimeout = FuseTimeout.Immutable;
        entry.AttrTimeout = FuseTimeout.Immutable;
        FillAttr(node, ref entry.Attr);
    }

    private static void FillAttr(MemoryNode node, ref FuseAttr attr)
    {
        attr.Ino = node.Id;
        attr.Mode = node.Mode;
        attr.Nlink = node.Nlink;
        attr.Uid = Uid;
        attr.Gid = Gid;
        attr.Length = node.IsDirectory ? 4096UL : (ulong)node.Content.Length;
        attr.Blocks = (attr.Length + 511) / 512;
        attr.BlockSize = 4096;
        attr.SetAllTimes(MtimeSeconds, 500);
    }
}

/// <summary>One node of <see cref="MemoryFileSystem"/>.</summary>
internal sealed class MemoryNode(ulong id, uint mode, MemoryNode? parent)
{
    public ulong Id { get; } = id;

    public uint Mode { get; } = mode;

    public MemoryNode? Parent { get; } = parent;

    public uint Nlink { get; set; } = (mode & 0xF000) == 0x4000 ? 2u : 1u;

    public long LookupCount { get; set; }

    public byte[] Content { get; set; } = [];

    public Dictionary<string, MemoryNode> ByName { get; } = new(StringComparer.Ordinal);

    public List<(byte[] Name, MemoryNode Node)> Children { get; } = [];

    public List<(byte[] Key, byte[] Value)> Xattrs { get; } = [];

    public bool IsDirectory => (Mode & 0xF000) == 0x4000;

    public bool IsSymlink => (Mode & 0xF000) == 0xA000;
}
