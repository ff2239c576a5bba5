using System.Text;
using Distri.Core.SquashFs.Unpacking;
using Tmds.Linux;

namespace Distri.Core.Tests.Support;

/// <summary>What <see cref="TreeComparer"/> looks at besides types, names and contents.</summary>
public sealed record TreeComparison
{
    public bool Modes { get; init; } = true;

    public bool Owners { get; init; } = true;

    /// <summary>Compares mtimes in whole seconds (SquashFS stores seconds).</summary>
    public bool ModificationTimes { get; init; } = true;

    /// <summary>Also compares mtimes of symlinks.</summary>
    public bool SymlinkModificationTimes { get; init; } = true;

    public bool Xattrs { get; init; } = true;

    public bool HardLinks { get; init; } = true;

    /// <summary>Compares the two root directories' own mode, owner and mtime too.</summary>
    public bool RootAttributes { get; init; } = true;
}

/// <summary>
/// Compares two directory trees entry by entry with lstat (never following symlinks): type, mode, uid, gid, size,
/// content, symlink target, rdev, mtime, xattrs and hard-link groups. Returns readable differences, one per line.
/// </summary>
public static class TreeComparer
{
    private const uint TypeMask = 0xF000;
    private const uint DirectoryType = 0x4000;
    private const uint FileType = 0x8000;
    private const uint SymlinkType = 0xA000;
    private const uint BlockType = 0x6000;
    private const uint CharType = 0x2000;

    public static IReadOnlyList<string> Compare(string expectedRoot, string actualRoot, TreeComparison? what = null)
    {
        what ??= new TreeComparison();
        var differences = new List<string>();
        var expected = Walk(expectedRoot);
        var actual = Walk(actualRoot);

        foreach (string path in expected.Keys.Except(actual.Keys, StringComparer.Ordinal).Order(StringComparer.Ordinal))
        {
            differences.Add($"{Show(path)}: missing");
        }

        foreach (string path in actual.Keys.Except(expected.Keys, StringComparer.Ordinal).Order(StringComparer.Ordinal))
        {
            differences.Add($"{Show(path)}: unexpected");
        }

        foreach (string path in expected.Keys.Intersect(actual.Keys, StringComparer.Ordinal).Order(StringComparer.Ordinal))
        {
            if (path.Length == 0 && !what.RootAttributes)
            {
                continue;
            }

            CompareEntry(path, expectedRoot, expected[path], actualRoot, actual[path], what, differences);
        }

        if (what.HardLinks)
        {
            var expectedGroups = LinkGroups(expected);
            var actualGroups = LinkGroups(actual);
            foreach (string group in expectedGroups.Except(actualGroups, StringComparer.Ordinal))
            {
                differences.Add($"hard-link group missing: {group}");
            }

            foreach (string group in actualGroups.Except(expectedGroups, StringComparer.Ordinal))
            {
                differences.Add($"unexpected hard-link group: {group}");
            }
        }

        return differences;
    }

    /// <summary>Fails with the first differences when the trees differ.</summary>
    public static void AssertSame(string expectedRoot, string actualRoot, TreeComparison? what = null)
    {
        IReadOnlyList<string> differences = Compare(expectedRoot, actualRoot, what);
        Assert.True(
            differences.Count == 0,
            $"{differences.Count} differences between {expectedRoot} and {actualRoot}:\n" + string.Join('\n', differences.Take(40)));
    }

    private static void CompareEntry(
        string path, string expectedRoot, stat e, string actualRoot, stat a, TreeComparison what, List<string> differences)
    {
        void Differ(string field, object expectedValue, object actualValue)
        {
            if (!Equals(expectedValue, actualValue))
            {
                differences.Add($"{Show(path)}: {field} {expectedValue} != {actualValue}");
            }
        }

        uint type = (uint)e.st_mode & TypeMask;
        Differ("type", Octal(type), Octal((uint)a.st_mode & TypeMask));
        if (type != ((uint)a.st_mode & TypeMask))
        {
            return;
        }

        if (what.Modes && type != SymlinkType)
        {
            Differ("mode", Octal((uint)e.st_mode & 0xFFF), Octal((uint)a.st_mode & 0xFFF));
        }

        if (what.Owners)
        {
            Differ("uid", (uint)e.st_uid, (uint)a.st_uid);
            Differ("gid", (uint)e.st_gid, (uint)a.st_gid);
        }

        if (what.ModificationTimes && (type != SymlinkType || what.SymlinkModificationTimes))
        {
            Differ("mtime", (long)e.st_mtim.tv_sec, (long)a.st_mtim.tv_sec);
        }

        byte[] expectedPath = PosixFiles.CString(Path.Join(expectedRoot, path));
        byte[] actualPath = PosixFiles.CString(Path.Join(actualRoot, path));
        switch (type)
        {
            case FileType:
                Differ("size", (long)e.st_size, (long)a.st_size);
                if ((long)e.st_size == (long)a.st_size && !SameContent(Path.Join(expectedRoot, path), Path.Join(actualRoot, path)))
                {
                    differences.Add($"{Show(path)}: content differs");
                }

                break;
            case SymlinkType:
                Differ("target", Encoding.UTF8.GetString(PosixFiles.ReadLink(expectedPath)), Encoding.UTF8.GetString(PosixFiles.ReadLink(actualPath)));
                break;
            case BlockType or CharType:
                Differ("rdev", (ulong)e.st_rdev, (ulong)a.st_rdev);
                break;
        }

        if (type != DirectoryType)
        {
            Differ("nlink", (ulong)e.st_nlink, (ulong)a.st_nlink);
        }

        if (what.Xattrs)
        {
            string Render(SortedDictionary<string, byte[]> xattrs) =>
                string.Join(", ", xattrs.Select(x => $"{x.Key}={Convert.ToHexString(x.Value)}"));
            Differ("xattrs", Render(PosixFiles.GetXattrs(expectedPath)), Render(PosixFiles.GetXattrs(actualPath)));
        }
    }

    private static bool SameContent(string expectedPath, string actualPath)
    {
        using FileStream e = File.OpenRead(expectedPath);
        using FileStream a = File.OpenRead(actualPath);
        byte[] left = new byte[1 << 16];
        byte[] right = new byte[1 << 16];
        while (true)
        {
            int n = e.ReadAtLeast(left, left.Length, throwOnEndOfStream: false);
            int m = a.ReadAtLeast(right, right.Length, throwOnEndOfStream: false);
            if (n != m || !left.AsSpan(0, n).SequenceEqual(right.AsSpan(0, m)))
            {
                return false;
            }

            if (n == 0)
            {
                return true;
            }
        }
    }

    /// <summary>Every entry's lstat by path relative to the root ("" is the root), walked without recursion.</summary>
    private static Dictionary<string, stat> Walk(string root)
    {
        var entries = new Dictionary<string, stat>(StringComparer.Ordinal) { [""] = PosixFiles.LStat(PosixFiles.CString(root)) };
        var pending = new Stack<string>();
        pending.Push("");
        while (pending.TryPop(out string? relative))
        {
            foreach (string full in Directory.EnumerateFileSystemEntries(Path.Join(root, relative)))
            {
                string child = Path.GetRelativePath(root, full);
                stat info = PosixFiles.LStat(PosixFiles.CString(full));
                entries[child] = info;
                if (((uint)info.st_mode & TypeMask) == DirectoryType)
                {
                    pending.Push(child);
                }
            }
        }

        return entries;
    }

    /// <summary>Groups of paths that share an inode, rendered as sorted, comma-joined strings.</summary>
    private static HashSet<string> LinkGroups(Dictionary<string, stat> entries) =>
        entries
            .Where(e => ((uint)e.Value.st_mode & TypeMask) != DirectoryType && (ulong)e.Value.st_nlink > 1)
            .GroupBy(e => (ulong)e.Value.st_ino)
            .Select(g => string.Join(", ", g.Select(e => e.Key).Order(StringComparer.Ordinal)))
            .ToHashSet(StringComparer.Ordinal);

    private static string Octal(uint value) => "0" + Convert.ToString(value, 8);

    private static string Show(string path) => path.Length == 0 ? "(root)" : path;
}
