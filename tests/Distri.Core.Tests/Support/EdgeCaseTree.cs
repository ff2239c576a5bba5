using System.Text;

namespace Distri.Core.Tests.Support;

/// <summary>
/// Builds, on disk and as root, the tree of edge cases both the SquashFS writer and the reader must get right: sizes
/// around the 4 KiB and 128 KiB boundaries and a few MiB, sparse and all-zero files, two 3,000-entry directories
/// (uniform files; mixed types with names of varying length), 40 levels of nesting, 255-byte and non-ASCII names
/// whose UTF-16 order differs from their UTF-8 order, symlinks up to 4,000-byte targets (relative, dangling), hard
/// links (within and across directories, of files, fifos and symlinks), fifos, sockets, devices with large numbers,
/// special modes, several owners, xattrs in all three namespaces (empty, large, on directories, symlinks and
/// devices) and distinct mtimes. Depends only on <see cref="NativeCalls"/> and the BCL.
/// </summary>
public static class EdgeCaseTree
{
    public const int LargeDirectoryEntries = 3000;

    public const int NestingDepth = 40;

    /// <summary>File sizes around the 4 KiB and 128 KiB boundaries: sizes/size-N (half random, half text) and
    /// sizes/size-N.zeros.</summary>
    public static readonly int[] BoundarySizes = [0, 1, 4095, 4096, 4097, 131071, 131072, 131073];

    /// <summary>big/three-mib.bin: a few MiB that end in a partial block.</summary>
    public const int FewMiBSize = (3 << 20) + 17;

    public static readonly string LongName = new('n', 255);

    public const string Utf8Name = "ünïcödé-名前-🙂.txt";

    /// <summary>The 4,000-byte target of links/long-target.</summary>
    public static readonly string LongSymlinkTarget = string.Concat(Enumerable.Repeat("segment/", 500));

    /// <summary>Creates the tree under <paramref name="root"/> (which must not exist yet).</summary>
    public static void Create(string root)
    {
        var random = new Random(20261125);
        Directory.CreateDirectory(root);
        CreateSizes(Dir(root, "sizes"), random);
        CreateBig(Dir(root, "big"), random);
        CreateUniformDirectory(Dir(root, "many"));
        CreateMixedDirectory(Dir(root, "large-dir"));
        CreateDeep(root);
        CreateNames(Dir(root, "names"));
        CreateSymlinks(Dir(root, "links"));
        CreateHardLinks(Dir(root, "hard"), Dir(root, "hard-other"));
        CreateSpecialFiles(Dir(root, "special"));
        CreateModesAndOwners(Dir(root, "owners"));
        CreateXattrs(Dir(root, "xattrs"), random);
        SetTimesBottomUp(root);
        SettleSymlinkAccessTimes(root);
    }

    /// <summary>
    /// Reads every symlink once. mksquashfs 4.5.1 finds hard links by comparing whole stat records, and its own
    /// readlink of the first name updates the atime (relatime: atime was older than ctime) before it stats the
    /// second name, so on a fresh tree it stores hard-linked symlinks as two inodes of link count 1. After one read
    /// relatime leaves the atime alone and the oracle sees one inode.
    /// </summary>
    private static void SettleSymlinkAccessTimes(string root)
    {
        var all = new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0 };
        foreach (FileSystemInfo entry in new DirectoryInfo(root).EnumerateFileSystemInfos("*", all))
        {
            if (entry.Attributes.HasFlag(FileAttributes.ReparsePoint))
            {
                _ = entry.LinkTarget;
            }
        }
    }

    private static void CreateSizes(string dir, Random random)
    {
        foreach (int size in BoundarySizes)
        {
            File.WriteAllBytes(Path.Join(dir, $"size-{size}"), Content(random, size));
            File.WriteAllBytes(Path.Join(dir, $"size-{size}.zeros"), new byte[size]);
        }
    }

    private static void CreateBig(string dir, Random random)
    {
        File.WriteAllBytes(Path.Join(dir, "three-mib.bin"), Content(random, FewMiBSize));
        File.WriteAllBytes(Path.Join(dir, "zeros.bin"), new byte[300_000]);

        // A leading hole and data up to the end ...
        using (FileStream sparse = File.Create(Path.Join(dir, "sparse.img")))
        {
            sparse.SetLength(3 << 20);
            sparse.Position = 1 << 20;
            sparse.Write(Content(random, 4096));
            sparse.Position = (3 << 20) - 100;
            sparse.Write(Content(random, 100));
        }

        // ... and data at the start with a trailing hole.
        using (FileStream sparse = File.Create(Path.Join(dir, "sparse-tail-hole.img")))
        {
            sparse.SetLength(5 << 20);
            sparse.Write(Content(random, 1000));
            sparse.Position = 3 << 20;
            sparse.Write(Content(random, 1000));
        }
    }

    /// <summary>Files entry-0000 ... entry-2999 holding "entry N\n": the reader looks each one up by name.</summary>
    private static void CreateUniformDirectory(string dir)
    {
        for (int i = 0; i < LargeDirectoryEntries; i++)
        {
            File.WriteAllText(Path.Join(dir, $"entry-{i:D4}"), $"entry {i}\n");
        }
    }

    /// <summary>Files, directories and symlinks with names of varying length, so directory headers and index entries
    /// fall at uneven offsets.</summary>
    private static void CreateMixedDirectory(string dir)
    {
        for (int i = 0; i < LargeDirectoryEntries; i++)
        {
            string path = Path.Join(dir, $"entry-{i:D5}-{new string('x', i % 40)}");
            switch (i % 10)
            {
                case 7:
                    Directory.CreateDirectory(path);
                    break;
                case 8:
                    File.CreateSymbolicLink(path, $"entry-{i - 1:D5}");
                    break;
                default:
                    File.WriteAllText(path, $"entry {i}\n");
                    break;
            }
        }
    }

    /// <summary>d01/d02/.../d40/leaf.txt under the root.</summary>
    private static void CreateDeep(string root)
    {
        string deep = root;
        for (int level = 1; level <= NestingDepth; level++)
        {
            deep = Dir(deep, $"d{level:D2}");
        }

        File.WriteAllText(Path.Join(deep, "leaf.txt"), "at the bottom\n");
    }

    private static void CreateNames(string dir)
    {
        string[] names =
        [
            LongName,
            string.Concat(Enumerable.Repeat("\u65E5", 85)), // 85 x 3 bytes = 255 bytes of UTF-8
            Utf8Name,
            "\uFF21", // FULLWIDTH A: EF BC A1, sorts before the emoji in UTF-8 but after it in UTF-16
            "\U0001F600", // F0 9F 98 80 (a surrogate pair in UTF-16)
            "\u00E9t\u00E9",
            "with space",
            "Zebra", // capital letters sort before lower case
            "zebra",
            "UPPER",
            "lower",
            "-dash",
            "~tilde",
            "a",
            "A",
            "a.b",
            "ab",
        ];
        foreach (string name in names)
        {
            File.WriteAllText(Path.Join(dir, name), name);
        }

        Dir(dir, "\uFF21-dir");
        File.WriteAllText(Path.Join(Dir(dir, "\U0001F600-dir"), "inside"), "x");
    }

    private static void CreateSymlinks(string dir)
    {
        File.CreateSymbolicLink(Path.Join(dir, "short"), "x");
        File.CreateSymbolicLink(Path.Join(dir, "to-dir"), "../names");
        File.CreateSymbolicLink(Path.Join(dir, "relative"), "../sizes/size-1");
        File.CreateSymbolicLink(Path.Join(dir, "dangling"), "/nonexistent/target");
        File.CreateSymbolicLink(Path.Join(dir, "utf8"), "../names/\U0001F600-dir/inside");
        File.CreateSymbolicLink(Path.Join(dir, "long-target"), LongSymlinkTarget);
        File.CreateSymbolicLink(Path.Join(dir, "long-255"), new string('t', 255));

        string relative = Path.Join(dir, "relative");
        NativeCalls.Lchown(relative, 777, 888);
        NativeCalls.SetXattr(relative, "trusted.on-symlink", "yes"u8.ToArray());
    }

    /// <summary>hard/a = hard-other/a-again (small, across directories), hard/big = hard/big-2 = hard-other/big-3
    /// (several blocks), and hard-linked fifo and symlink.</summary>
    private static void CreateHardLinks(string first, string second)
    {
        File.WriteAllText(Path.Join(first, "a"), "linked twice, across directories\n");
        NativeCalls.Link(Path.Join(first, "a"), Path.Join(second, "a-again"));

        byte[] big = new byte[300_000];
        new Random(7).NextBytes(big);
        File.WriteAllBytes(Path.Join(first, "big"), big);
        NativeCalls.Link(Path.Join(first, "big"), Path.Join(first, "big-2"));
        NativeCalls.Link(Path.Join(first, "big"), Path.Join(second, "big-3"));

        NativeCalls.Mknod(Path.Join(first, "fifo"), 0x1000, 0x1A4, 0, 0);
        NativeCalls.Link(Path.Join(first, "fifo"), Path.Join(second, "fifo-again"));
        File.CreateSymbolicLink(Path.Join(first, "symlink"), "a");
        NativeCalls.Link(Path.Join(first, "symlink"), Path.Join(first, "symlink-again"));
    }

    private static void CreateSpecialFiles(string dir)
    {
        NativeCalls.Mknod(Path.Join(dir, "fifo"), 0x1000, 0x1B6, 0, 0);
        // A bound .NET socket removes its file on close; mknod leaves a socket inode behind as bind would.
        NativeCalls.Mknod(Path.Join(dir, "socket"), 0xC000, 0x1ED, 0, 0);
        NativeCalls.Mknod(Path.Join(dir, "char-1-3"), 0x2000, 0x1B6, 1, 3);
        NativeCalls.Mknod(Path.Join(dir, "char-300-70000"), 0x2000, 0x180, 300, 70000);
        NativeCalls.Mknod(Path.Join(dir, "block-8-1"), 0x6000, 0x1B0, 8, 1);
        NativeCalls.Mknod(Path.Join(dir, "block-4000-1000000"), 0x6000, 0x1B0, 4000, 1_000_000);
    }

    private static void CreateModesAndOwners(string dir)
    {
        (string Name, uint Mode, uint Uid, uint Gid)[] files =
        [
            ("setuid", 0x9ED /* 4755 */, 0, 0),
            ("setgid", 0x5ED /* 2755 */, 1000, 1000),
            ("none", 0, 65534, 65534),
            ("private", 0x180 /* 0600 */, 123456, 654321),
            ("all", 0xFFF /* 7777 */, 0, 100),
        ];
        foreach (var (name, mode, uid, gid) in files)
        {
            string path = Path.Join(dir, name);
            File.WriteAllText(path, name);
            NativeCalls.Lchown(path, uid, gid); // before chmod: chown clears setuid/setgid
            NativeCalls.Chmod(path, mode);
        }

        string sticky = Dir(dir, "sticky-dir");
        NativeCalls.Lchown(sticky, 42, 43);
        NativeCalls.Chmod(sticky, 0x3FF /* 1777 */);
        NativeCalls.Chmod(Dir(dir, "setgid-dir"), 0x5FD /* 2775 */);
        string link = Path.Join(dir, "owned-link");
        File.CreateSymbolicLink(link, "setuid");
        NativeCalls.Lchown(link, 7, 8);
    }

    private static void CreateXattrs(string dir, Random random)
    {
        byte[] shared = Encoding.UTF8.GetBytes("a value many files share");
        for (int i = 0; i < 5; i++)
        {
            // Identical sets, written in different orders: a writer stores them once.
            string path = Path.Join(dir, $"same-{i}");
            File.WriteAllText(path, $"same {i}");
            if (i % 2 == 0)
            {
                NativeCalls.SetXattr(path, "user.shared", shared);
                NativeCalls.SetXattr(path, "trusted.t", [1, 2, 3]);
            }
            else
            {
                NativeCalls.SetXattr(path, "trusted.t", [1, 2, 3]);
                NativeCalls.SetXattr(path, "user.shared", shared);
            }
        }

        string tagged = Path.Join(dir, "tagged");
        File.WriteAllText(tagged, "has xattrs\n");
        NativeCalls.SetXattr(tagged, "user.mime", "text/plain"u8.ToArray());
        NativeCalls.SetXattr(tagged, "user.empty", []);
        NativeCalls.SetXattr(tagged, "trusted.origin", "test"u8.ToArray());

        string many = Path.Join(dir, "many");
        File.WriteAllText(many, "many xattrs");
        for (int i = 0; i < 20; i++)
        {
            NativeCalls.SetXattr(many, $"user.attr{i:D2}", Encoding.UTF8.GetBytes($"value {i}"));
        }

        byte[] large = new byte[1500]; // ext4 keeps all xattrs of an inode in one 4 KiB block
        random.NextBytes(large);
        NativeCalls.SetXattr(many, "security.capability", [1, 0, 0, 2, 0, 32, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
        NativeCalls.SetXattr(many, "trusted.large", large);
        NativeCalls.SetXattr(many, "user.empty", []);

        string bigValue = Path.Join(dir, "big-value");
        File.WriteAllText(bigValue, "big xattr\n");
        NativeCalls.SetXattr(bigValue, "user.big", Encoding.ASCII.GetBytes(new string('v', 4000)));

        NativeCalls.SetXattr(Dir(dir, "dir-with-xattrs"), "user.dir", shared);
        string link = Path.Join(dir, "link-with-xattr");
        File.CreateSymbolicLink(link, "many");
        NativeCalls.SetXattr(link, "trusted.on-link", shared);
        string fifo = Path.Join(dir, "fifo-with-xattr");
        NativeCalls.Mknod(fifo, 0x1000, 0x1A4, 0, 0);
        NativeCalls.SetXattr(fifo, "trusted.pipe", shared);
        string device = Path.Join(dir, "device-with-xattr");
        NativeCalls.Mknod(device, 0x2000, 0x1A4, 1, 5);
        NativeCalls.SetXattr(device, "security.label", shared);
        string big = Path.Join(dir, "big-with-xattr");
        File.WriteAllBytes(big, new byte[200_000]);
        NativeCalls.SetXattr(big, "user.big", shared);
    }

    /// <summary>Distinct, reproducible mtimes for every entry (by ordinal rank of its path), directories after their
    /// content, then the extremes: 0, 1234567890 and 2^32-1 (the largest SquashFS can store).</summary>
    private static void SetTimesBottomUp(string root)
    {
        var all = new List<string>();
        var pending = new Stack<string>();
        pending.Push(root);
        while (pending.TryPop(out string? directory))
        {
            all.Add(directory);
            foreach (string entry in Directory.EnumerateFileSystemEntries(directory))
            {
                if (NativeCalls.LStat(entry).Type == 0x4000)
                {
                    pending.Push(entry);
                }
                else
                {
                    all.Add(entry);
                }
            }
        }

        // Children sort after their parent, so walking the ordinal order backwards touches a directory last.
        all.Sort(StringComparer.Ordinal);
        for (int i = all.Count - 1; i >= 0; i--)
        {
            NativeCalls.SetModificationTime(all[i], 1_600_000_000L + (i * 37L));
        }

        NativeCalls.SetModificationTime(Path.Join(root, "sizes", "size-0"), 0);
        NativeCalls.SetModificationTime(Path.Join(root, "sizes", "size-1"), 1_234_567_890);
        NativeCalls.SetModificationTime(Path.Join(root, "sizes", "size-4096"), uint.MaxValue);
        NativeCalls.SetModificationTime(Path.Join(root, "d01"), 1_000_000_000);
    }

    /// <summary>Half random (incompressible), half text-like, so raw and compressed blocks both occur.</summary>
    private static byte[] Content(Random random, int size)
    {
        byte[] bytes = new byte[size];
        random.NextBytes(bytes.AsSpan(0, size / 2));
        byte[] text = Encoding.ASCII.GetBytes("the quick brown fox jumps over the lazy dog 0123456789\n");
        for (int i = size / 2; i < size; i++)
        {
            bytes[i] = text[i % text.Length];
        }

        return bytes;
    }

    private static string Dir(string parent, string name)
    {
        string path = Path.Join(parent, name);
        Directory.CreateDirectory(path);
        return path;
    }
}
