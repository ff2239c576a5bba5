using System.Text;

namespace Distri.Core.Tests.Support;

/// <summary>
/// Builds, on disk and as root, the tree of edge cases a SquashFS writer must get right: sizes around block
/// boundaries, a sparse file, a 3,000-entry directory, 40 levels of nesting, 255-byte and non-ASCII names whose
/// UTF-16 order differs from their UTF-8 order, long symlinks, hard links, fifos, sockets, devices, special modes,
/// several owners and xattrs in all three namespaces.
/// </summary>
public static class EdgeCaseTree
{
    public const int LargeDirectoryEntries = 3000;
    public const int NestingDepth = 40;

    /// <summary>File sizes around the 4 KiB and 128 KiB boundaries, and a few MiB.</summary>
    public static readonly int[] FileSizes = [0, 1, 4095, 4096, 4097, 131071, 131072, 131073, (3 << 20) + 17];

    /// <summary>Creates the tree under <paramref name="root"/> (which must not exist yet).</summary>
    public static void Create(string root)
    {
        var random = new Random(20261125);
        Directory.CreateDirectory(root);
        CreateSizes(Path.Combine(root, "sizes"), random);
        CreateSparse(Path.Combine(root, "sparse.img"), random);
        CreateLargeDirectory(Path.Combine(root, "large-dir"));
        CreateDeep(Path.Combine(root, "deep"));
        CreateNames(Path.Combine(root, "names"));
        CreateSymlinks(Path.Combine(root, "links"));
        CreateHardLinks(root);
        CreateSpecialFiles(Path.Combine(root, "special"));
        CreateModesAndOwners(Path.Combine(root, "owners"));
        CreateXattrs(Path.Combine(root, "xattrs"), random);

        // Directory times last: creating children changed them.
        WriterNativeCalls.SetModificationTime(Path.Combine(root, "deep"), 1_000_000_000);
    }

    private static void CreateSizes(string dir, Random random)
    {
        Directory.CreateDirectory(dir);
        foreach (int size in FileSizes)
        {
            // Half random (incompressible), half text-like, so raw and compressed blocks both occur.
            byte[] content = new byte[size];
            random.NextBytes(content.AsSpan(0, size / 2));
            for (int i = size / 2; i < size; i++)
            {
                content[i] = (byte)"squashfs edge case text\n"[i % 24];
            }

            string path = Path.Combine(dir, $"size-{size}");
            File.WriteAllBytes(path, content);
            File.WriteAllBytes(path + ".zeros", new byte[size]);
        }

        WriterNativeCalls.SetModificationTime(Path.Combine(dir, "size-1"), 1_234_567_890);
        WriterNativeCalls.SetModificationTime(Path.Combine(dir, "size-0"), 0);
        WriterNativeCalls.SetModificationTime(Path.Combine(dir, "size-4096"), uint.MaxValue);
    }

    private static void CreateSparse(string path, Random random)
    {
        using var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write);
        file.SetLength(5 << 20);
        byte[] data = new byte[1000];
        random.NextBytes(data);
        file.Write(data);
        file.Position = 3 << 20;
        file.Write(data);
    }

    private static void CreateLargeDirectory(string dir)
    {
        Directory.CreateDirectory(dir);
        for (int i = 0; i < LargeDirectoryEntries; i++)
        {
            string path = Path.Combine(dir, $"entry-{i:D5}-{new string('x', i % 40)}");
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

    private static void CreateDeep(string dir)
    {
        string current = dir;
        for (int level = 0; level < NestingDepth; level++)
        {
            current = Path.Combine(current, $"level-{level:D2}");
        }

        Directory.CreateDirectory(current);
        File.WriteAllText(Path.Combine(current, "bottom.txt"), "the bottom\n");
    }

    private static void CreateNames(string dir)
    {
        Directory.CreateDirectory(dir);
        string[] names =
        [
            new string('n', 255),
            string.Concat(Enumerable.Repeat("\u65E5", 85)), // 85 x 3 bytes = 255 bytes of UTF-8
            "\uFF21", // FULLWIDTH A: EF BC A1, sorts before the emoji in UTF-8 but after it in UTF-16
            "\U0001F600", // F0 9F 98 80 (a surrogate pair in UTF-16)
            "\u00E9t\u00E9",
            "with space",
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
            File.WriteAllText(Path.Combine(dir, name), name);
        }

        Directory.CreateDirectory(Path.Combine(dir, "\uFF21-dir"));
        Directory.CreateDirectory(Path.Combine(dir, "\U0001F600-dir"));
        File.WriteAllText(Path.Combine(dir, "\U0001F600-dir", "inside"), "x");
    }

    private static void CreateSymlinks(string dir)
    {
        Directory.CreateDirectory(dir);
        File.CreateSymbolicLink(Path.Combine(dir, "short"), "x");
        File.CreateSymbolicLink(Path.Combine(dir, "to-dir"), "../names");
        File.CreateSymbolicLink(Path.Combine(dir, "dangling"), "/nonexistent/target");
        File.CreateSymbolicLink(Path.Combine(dir, "utf8"), "\U0001F600-dir/inside");
        var longTarget = new StringBuilder();
        while (longTarget.Length < 4000)
        {
            longTarget.Append("segment/");
        }

        File.CreateSymbolicLink(Path.Combine(dir, "long-4000"), longTarget.ToString(0, 4000));
        File.CreateSymbolicLink(Path.Combine(dir, "long-255"), new string('t', 255));
    }

    private static void CreateHardLinks(string root)
    {
        string first = Path.Combine(root, "hard");
        string second = Path.Combine(root, "hard-other");
        Directory.CreateDirectory(first);
        Directory.CreateDirectory(second);
        File.WriteAllText(Path.Combine(first, "a"), "linked twice, across directories\n");
        WriterNativeCalls.Link(Path.Combine(first, "a"), Path.Combine(second, "a-again"));

        byte[] big = new byte[300_000];
        new Random(7).NextBytes(big);
        File.WriteAllBytes(Path.Combine(first, "big"), big);
        WriterNativeCalls.Link(Path.Combine(first, "big"), Path.Combine(first, "big-2"));
        WriterNativeCalls.Link(Path.Combine(first, "big"), Path.Combine(first, "big-3"));

        WriterNativeCalls.Mknod(Path.Combine(first, "fifo"), 0x1000, 0x1A4, 0, 0);
        WriterNativeCalls.Link(Path.Combine(first, "fifo"), Path.Combine(second, "fifo-again"));
        File.CreateSymbolicLink(Path.Combine(first, "symlink"), "a");
        WriterNativeCalls.Link(Path.Combine(first, "symlink"), Path.Combine(first, "symlink-again"));
    }

    private static void CreateSpecialFiles(string dir)
    {
        Directory.CreateDirectory(dir);
        WriterNativeCalls.Mknod(Path.Combine(dir, "fifo"), 0x1000, 0x1B6, 0, 0);
        WriterNativeCalls.Mknod(Path.Combine(dir, "socket"), 0xC000, 0x1ED, 0, 0);
        WriterNativeCalls.Mknod(Path.Combine(dir, "null"), 0x2000, 0x1B6, 1, 3);
        WriterNativeCalls.Mknod(Path.Combine(dir, "char-big-minor"), 0x2000, 0x180, 240, 70000);
        WriterNativeCalls.Mknod(Path.Combine(dir, "sda1"), 0x6000, 0x1B0, 8, 1);
        WriterNativeCalls.Mknod(Path.Combine(dir, "block-big"), 0x6000, 0x1B0, 4000, 1_000_000);
    }

    private static void CreateModesAndOwners(string dir)
    {
        Directory.CreateDirectory(dir);
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
            string path = Path.Combine(dir, name);
            File.WriteAllText(path, name);
            WriterNativeCalls.Lchown(path, uid, gid); // before chmod: chown clears setuid/setgid
            WriterNativeCalls.Chmod(path, mode);
        }

        string sticky = Path.Combine(dir, "sticky-dir");
        Directory.CreateDirectory(sticky);
        WriterNativeCalls.Lchown(sticky, 42, 43);
        WriterNativeCalls.Chmod(sticky, 0x3FF /* 1777 */);
        string setgidDir = Path.Combine(dir, "setgid-dir");
        Directory.CreateDirectory(setgidDir);
        WriterNativeCalls.Chmod(setgidDir, 0x5FD /* 2775 */);
        string link = Path.Combine(dir, "owned-link");
        File.CreateSymbolicLink(link, "setuid");
        WriterNativeCalls.Lchown(link, 7, 8);
    }

    private static void CreateXattrs(string dir, Random random)
    {
        Directory.CreateDirectory(dir);
        byte[] shared = Encoding.UTF8.GetBytes("a value many files share");
        byte[] large = new byte[1500]; // ext4 keeps all xattrs of an inode in one 4 KiB block
        random.NextBytes(large);
        for (int i = 0; i < 5; i++)
        {
            // Identical sets, written in different orders: stored once.
            string path = Path.Combine(dir, $"same-{i}");
            File.WriteAllText(path, $"same {i}");
            if (i % 2 == 0)
            {
                WriterNativeCalls.SetXattr(path, "user.shared", shared);
                WriterNativeCalls.SetXattr(path, "trusted.t", [1, 2, 3]);
            }
            else
            {
                WriterNativeCalls.SetXattr(path, "trusted.t", [1, 2, 3]);
                WriterNativeCalls.SetXattr(path, "user.shared", shared);
            }
        }

        string many = Path.Combine(dir, "many");
        File.WriteAllText(many, "many xattrs");
        for (int i = 0; i < 20; i++)
        {
            WriterNativeCalls.SetXattr(many, $"user.attr{i:D2}", Encoding.UTF8.GetBytes($"value {i}"));
        }

        WriterNativeCalls.SetXattr(many, "security.capability", [1, 0, 0, 2, 0, 32, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
        WriterNativeCalls.SetXattr(many, "trusted.large", large);
        WriterNativeCalls.SetXattr(many, "user.empty", []);

        string subdir = Path.Combine(dir, "dir-with-xattrs");
        Directory.CreateDirectory(subdir);
        WriterNativeCalls.SetXattr(subdir, "user.dir", shared);
        string link = Path.Combine(dir, "link-with-xattr");
        File.CreateSymbolicLink(link, "many");
        WriterNativeCalls.SetXattr(link, "trusted.on-link", shared);
        string fifo = Path.Combine(dir, "fifo-with-xattr");
        WriterNativeCalls.Mknod(fifo, 0x1000, 0x1A4, 0, 0);
        WriterNativeCalls.SetXattr(fifo, "trusted.pipe", shared);
        string device = Path.Combine(dir, "device-with-xattr");
        WriterNativeCalls.Mknod(device, 0x2000, 0x1A4, 1, 5);
        WriterNativeCalls.SetXattr(device, "security.label", shared);
        string big = Path.Combine(dir, "big-with-xattr");
        File.WriteAllBytes(big, new byte[200_000]);
        WriterNativeCalls.SetXattr(big, "user.big", shared);
    }
}
