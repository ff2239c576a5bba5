using System.Text;

namespace Distri.Core.Tests.Support;

/// <summary>What <see cref="TreeComparer"/> looks at besides types, names, sizes, contents, symlink targets and
/// device numbers; switch off what a given oracle cannot reproduce.</summary>
public sealed record TreeComparison
{
    /// <summary>Permission bits including setuid, setgid and sticky (never for symlinks: Linux shows 0777).</summary>
    public bool Modes { get; init; } = true;

    public bool Owners { get; init; } = true;

    /// <summary>Compares mtimes in whole seconds (SquashFS stores seconds).</summary>
    public bool ModificationTimes { get; init; } = true;

    /// <summary>Also compares mtimes of symlinks.</summary>
    public bool SymlinkModificationTimes { get; init; } = true;

    public bool Xattrs { get; init; } = true;

    /// <summary>Link counts of non-directories and which names share an inode.</summary>
    public bool HardLinks { get; init; } = true;

    /// <summary>Link counts of directories (2 + subdirectories on Linux file systems, and in SquashFS).</summary>
    public bool DirectoryLinkCounts { get; init; } = true;

    /// <summary>Compares the two root directories' own mode, owner, mtime and xattrs too.</summary>
    public bool RootAttributes { get; init; } = true;
}

/// <summary>
/// Compares two directory trees entry by entry with lstat (never following symlinks): type, mode, uid, gid, size,
/// content, symlink target, rdev, mtime, xattrs, link counts (of directories too) and hard-link groups. Returns every difference, one
/// readable line each ("path: field expected != actual").
/// </summary>
public static class TreeComparer
{
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
            var entry = new EntryPair(path, Path.Join(expectedRoot, path), expected[path], Path.Join(actualRoot, path), actual[path]);
            CompareEntry(entry, path.Length == 0 && !what.RootAttributes ? what with { Modes = false, Owners = false, ModificationTimes = false, Xattrs = false, DirectoryLinkCounts = false } : what, differences);
        }

        if (what.HardLinks)
        {
            var expectedGroups = LinkGroups(expected);
            var actualGroups = LinkGroups(actual);
            foreach (string group in expectedGroups.Except(actualGroups, StringComparer.Ordinal).Order(StringComparer.Ordinal))
            {
                differences.Add($"hard-link group missing: {group}");
            }

            foreach (string group in actualGroups.Except(expectedGroups, StringComparer.Ordinal).Order(StringComparer.Ordinal))
            {
                differences.Add($"unexpected hard-link group: {group}");
            }
        }

        return differences;
    }

    /// <summary>Fails with the first 40 differences when the trees differ.</summary>
    public static void AssertSame(string expectedRoot, string actualRoot, TreeComparison? what = null)
    {
        IReadOnlyList<string> differences = Compare(expectedRoot, actualRoot, what);
        Xunit.Assert.True(
            differences.Count == 0,
            $"{differences.Count} differences between {expectedRoot} and {actualRoot}:\n" + string.Join('\n', differences.Take(40)));
    }

    private readonly record struct EntryPair(string Path, string ExpectedPath, NativeFileStatus Expected, string ActualPath, NativeFileStatus Actual);

    private static void CompareEntry(EntryPair entry, TreeComparison what, List<string> differences)
    {
        void Differ(string field, object expectedValue, object actualValue)
        {
            if (!Equals(expectedValue, actualValue))
            {
                differences.Add($"{Show(entry.Path)}: {field} {expectedValue} != {actualValue}");
            }
        }

        NativeFileStatus e = entry.Expected;
        NativeFileStatus a = entry.Actual;
        Differ("type", Octal(e.Type), Octal(a.Type));
        if (e.Type != a.Type)
        {
            return;
        }

        if (what.Modes && e.Type != SymlinkType)
        {
            Differ("mode", Octal(e.Mode & 0xFFF), Octal(a.Mode & 0xFFF));
        }

        if (what.Owners)
        {
            Differ("uid", e.Uid, a.Uid);
            Differ("gid", e.Gid, a.Gid);
        }

        if (what.ModificationTimes && (e.Type != SymlinkType || what.SymlinkModificationTimes))
        {
            Differ("mtime", e.ModificationTimeSeconds, a.ModificationTimeSeconds);
        }

        switch (e.Type)
        {
            case FileType:
                Differ("size", e.Size, a.Size);
                if (e.Size == a.Size && !SameContent(entry.ExpectedPath, entry.ActualPath))
                {
                    differences.Add($"{Show(entry.Path)}: content differs");
                }

                break;
            case SymlinkType:
                byte[] expectedTarget = NativeCalls.ReadLink(entry.ExpectedPath);
                byte[] actualTarget = NativeCalls.ReadLink(entry.ActualPath);
                if (!expectedTarget.AsSpan().SequenceEqual(actualTarget))
                {
                    differences.Add($"{Show(entry.Path)}: target {Encoding.UTF8.GetString(expectedTarget)} != {Encoding.UTF8.GetString(actualTarget)}");
                }

                break;
            case BlockType or CharType:
                Differ("rdev", $"{e.RdevMajor}:{e.RdevMinor}", $"{a.RdevMajor}:{a.RdevMinor}");
                break;
        }

        if (what.HardLinks && e.Type != DirectoryType)
        {
            Differ("nlink", e.LinkCount, a.LinkCount);
        }

        if (what.DirectoryLinkCounts && e.Type == DirectoryType)
        {
            Differ("nlink", e.LinkCount, a.LinkCount);
        }

        if (what.Xattrs)
        {
            static string Render(SortedDictionary<string, byte[]> xattrs) =>
                string.Join(", ", xattrs.Select(x => $"{x.Key}={Convert.ToHexString(x.Value)}"));
            Differ("xattrs", Render(NativeCalls.GetXattrs(entry.ExpectedPath)), Render(NativeCalls.GetXattrs(entry.ActualPath)));
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
    private static Dictionary<string, NativeFileStatus> Walk(string root)
    {
        var entries = new Dictionary<string, NativeFileStatus>(StringComparer.Ordinal) { [""] = NativeCalls.LStat(root) };
        var pending = new Stack<string>();
        pending.Push("");
        while (pending.TryPop(out string? relative))
        {
            foreach (string full in Directory.EnumerateFileSystemEntries(Path.Join(root, relative)))
            {
                string child = Path.GetRelativePath(root, full);
                NativeFileStatus info = NativeCalls.LStat(full);
                entries[child] = info;
                if (info.Type == DirectoryType)
                {
                    pending.Push(child);
                }
            }
        }

        return entries;
    }

    /// <summary>Groups of paths that share an inode, rendered as sorted, comma-joined strings.</summary>
    private static HashSet<string> LinkGroups(Dictionary<string, NativeFileStatus> entries) =>
        entries
            .Where(e => e.Value.Type != DirectoryType && e.Value.LinkCount > 1)
            .GroupBy(e => e.Value.Inode)
            .Select(g => string.Join(", ", g.Select(e => e.Key).Order(StringComparer.Ordinal)))
            .ToHashSet(StringComparer.Ordinal);

    private static string Octal(uint value) => "0" + Convert.ToString(value, 8);

    private static string Show(string path) => path.Length == 0 ? "(root)" : path;
}
