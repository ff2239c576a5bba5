using System.Text;
using Distri.Core.SquashFs.Unpacking;

namespace Distri.Core.Tests.SquashFs.Reading;

/// <summary>
/// Builds a source tree full of the cases a SquashFS reader gets wrong: block-boundary sizes, a sparse file, a
/// 3,000-entry directory (extended directory with an index), 40-deep nesting, 255-byte and UTF-8 names, a 4,000-byte
/// symlink target, hard links, fifo, socket, devices, setuid/setgid/sticky bits, several owners, xattrs and mtimes.
/// Needs root (devices, chown, trusted.* xattrs).
/// </summary>
public static class EdgeCaseTree
{
    public static readonly int[] BoundarySizes = [0, 1, 4095, 4096, 4097, 131071, 131072, 131073];

    public const int LargeDirectoryEntries = 3000;

    public const int NestingDepth = 40;

    public static readonly string LongName = new('n', 255);

    public const string Utf8Name = "ünïcödé-名前-🙂.txt";

    public static readonly string LongSymlinkTarget = string.Concat(Enumerable.Repeat("segment/", 500));

    public static void Create(string root, bool large = true)
    {
        var random = new Random(20261125);
        Directory.CreateDirectory(root);

        string sizes = Dir(root, "sizes");
        foreach (int size in BoundarySizes)
        {
            File.WriteAllBytes(Path.Join(sizes, $"size-{size}"), Content(random, size));
        }

        string big = Dir(root, "big");
        File.WriteAllBytes(Path.Join(big, "three-mib.bin"), Content(random, large ? 3 << 20 : 300_000));
        File.WriteAllBytes(Path.Join(big, "zeros.bin"), new byte[300_000]);
        using (FileStream sparse = File.Create(Path.Join(big, "sparse.img")))
        {
            sparse.SetLength(3 << 20);
            sparse.Position = 1 << 20;
            sparse.Write(Content(random, 4096));
            sparse.Position = (3 << 20) - 100;
            sparse.Write(Content(random, 100));
        }

        string many = Dir(root, "many");
        int entries = large ? LargeDirectoryEntries : 300;
        for (int i = 0; i < entries; i++)
        {
            File.WriteAllText(Path.Join(many, $"entry-{i:D4}"), $"entry {i}\n");
        }

        string deep = root;
        for (int level = 1; level <= NestingDepth; level++)
        {
            deep = Dir(deep, $"d{level:D2}");
        }

        File.WriteAllText(Path.Join(deep, "leaf.txt"), "at the bottom\n");

        string names = Dir(root, "names");
        File.WriteAllText(Path.Join(names, LongName), "long name\n");
        File.WriteAllText(Path.Join(names, Utf8Name), "utf-8 name\n");
        File.WriteAllText(Path.Join(names, "with space"), "space\n");
        File.WriteAllText(Path.Join(names, "Zebra"), "capital sorts before lower case\n");
        File.WriteAllText(Path.Join(names, "zebra"), "lower case\n");

        string links = Dir(root, "links");
        File.CreateSymbolicLink(Path.Join(links, "long-target"), LongSymlinkTarget);
        File.CreateSymbolicLink(Path.Join(links, "relative"), "../sizes/size-1");
        File.CreateSymbolicLink(Path.Join(links, "dangling"), "/nonexistent/target");
        File.WriteAllBytes(Path.Join(links, "hard-a"), Content(random, 10_000));
        Hardlink(Path.Join(links, "hard-a"), Path.Join(links, "hard-b"));
        Hardlink(Path.Join(links, "hard-a"), Path.Join(sizes, "hard-c"));
        File.WriteAllText(Path.Join(links, "small-hard-1"), "small\n");
        Hardlink(Path.Join(links, "small-hard-1"), Path.Join(links, "small-hard-2"));

        string special = Dir(root, "special");
        MakeNode(Path.Join(special, "fifo"), 0x1000 | 0x1A4, 0);
        MakeNode(Path.Join(special, "char-1-3"), 0x2000 | 0x1B6, Makedev(1, 3));
        MakeNode(Path.Join(special, "block-7-0"), 0x6000 | 0x1B0, Makedev(7, 0));
        MakeNode(Path.Join(special, "char-300-70000"), 0x2000 | 0x180, Makedev(300, 70000));
        // A bound .NET socket removes its file on close; mknod leaves a socket inode behind as bind would.
        MakeNode(Path.Join(special, "socket"), 0xC000 | 0x1ED, 0);

        string modes = Dir(root, "modes");
        Chmod(WriteText(modes, "setuid", "#!/bin/sh\n"), 0x9ED /* 04755 */);
        Chmod(WriteText(modes, "private", "secret\n"), 0x180 /* 0600 */);
        Chmod(WriteText(modes, "nothing", "\n"), 0);
        Chmod(Dir(modes, "sticky"), 0x3FF /* 01777 */);
        Chmod(Dir(modes, "setgid"), 0x5FD /* 02775 */);

        string owners = Dir(root, "owners");
        Chown(WriteText(owners, "user-1000", "a\n"), 1000, 1000);
        Chown(WriteText(owners, "user-1234-5678", "b\n"), 1234, 5678);
        Chown(WriteText(owners, "root-100", "c\n"), 0, 100);
        Chown(Dir(owners, "dir-4242"), 4242, 4343);
        PosixFiles.ChangeOwner(PosixFiles.CString(Path.Join(links, "relative")), 777, 888);

        string xattrs = Dir(root, "xattrs");
        string tagged = WriteText(xattrs, "tagged", "has xattrs\n");
        SetXattr(tagged, "user.mime", "text/plain");
        SetXattr(tagged, "user.empty", "");
        SetXattr(tagged, "trusted.origin", "test");
        SetXattr(WriteText(xattrs, "same-set", "same xattrs\n"), "user.mime", "text/plain");
        string bigValue = WriteText(xattrs, "big-value", "big xattr\n");
        SetXattr(bigValue, "user.big", new string('v', 4000));
        SetXattr(xattrs, "user.on-directory", "yes");
        SetXattr(Path.Join(links, "relative"), "trusted.on-symlink", "yes");

        SetTimesBottomUp(root);
    }

    /// <summary>Distinct, deterministic mtimes for every entry, directories after their content.</summary>
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
                if (Directory.Exists(entry) && !File.GetAttributes(entry).HasFlag(FileAttributes.ReparsePoint))
                {
                    pending.Push(entry);
                }
                else
                {
                    all.Add(entry);
                }
            }
        }

        for (int i = all.Count - 1; i >= 0; i--)
        {
            long seconds = 1_600_000_000L + (Math.Abs(StringComparer.Ordinal.GetHashCode(Path.GetRelativePath(root, all[i]))) % 100_000_000);
            PosixFiles.SetTimes(PosixFiles.CString(all[i]), seconds);
        }
    }

    /// <summary>Half text (compressible), half random (not), so both raw and compressed blocks appear.</summary>
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

    private static string WriteText(string directory, string name, string text)
    {
        string path = Path.Join(directory, name);
        File.WriteAllText(path, text);
        return path;
    }

    private static void Hardlink(string existing, string path) =>
        PosixFiles.MakeHardLink(PosixFiles.CString(existing), PosixFiles.CString(path));

    private static void MakeNode(string path, uint mode, ulong device) => PosixFiles.MakeNode(PosixFiles.CString(path), mode, device);

    private static void Chmod(string path, uint mode) => PosixFiles.ChangeMode(PosixFiles.CString(path), mode);

    private static void Chown(string path, uint uid, uint gid) => PosixFiles.ChangeOwner(PosixFiles.CString(path), uid, gid);

    private static void SetXattr(string path, string name, string value) =>
        PosixFiles.SetXattr(PosixFiles.CString(path), name, Encoding.UTF8.GetBytes(value));

    public static ulong Makedev(uint major, uint minor) =>
        ((ulong)(major & 0xFFFFF000) << 32) | ((ulong)(major & 0xFFF) << 8) | ((ulong)(minor & 0xFFFFFF00) << 12) | (minor & 0xFF);
}
