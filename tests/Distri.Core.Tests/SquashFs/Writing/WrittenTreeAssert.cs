using Distri.Core.Interop;
using Distri.Core.SquashFs.Format;

namespace Distri.Core.Tests.SquashFs.Writing;

/// <summary>
/// Compares two trees on disk with lstat: type, permission bits, owner, size, content, symlink target, device
/// numbers, mtime (seconds), xattrs and hard-link groups. Reports every difference, not just the first.
/// </summary>
internal static class WrittenTreeAssert
{
    private sealed record Entry(LinuxFileStatus Status, FileKind Kind, List<string> Xattrs);

    public static void Equal(string expectedRoot, string actualRoot)
    {
        var expected = Collect(expectedRoot);
        var actual = Collect(actualRoot);
        var problems = new List<string>();
        foreach (string path in expected.Keys.Except(actual.Keys).Take(10))
        {
            problems.Add($"missing: {path}");
        }

        foreach (string path in actual.Keys.Except(expected.Keys).Take(10))
        {
            problems.Add($"unexpected: {path}");
        }

        foreach (var (path, want) in expected)
        {
            if (actual.TryGetValue(path, out var got))
            {
                CompareEntry(path, want, got, Path.Join(expectedRoot, path), Path.Join(actualRoot, path), problems);
            }
        }

        var wantGroups = HardLinkGroups(expected);
        var gotGroups = HardLinkGroups(actual);
        foreach (string group in wantGroups.Except(gotGroups))
        {
            problems.Add($"hard-link group not preserved: {group}");
        }

        foreach (string group in gotGroups.Except(wantGroups))
        {
            problems.Add($"unexpected hard-link group: {group}");
        }

        Assert.True(problems.Count == 0, $"{problems.Count} differences between {expectedRoot} and {actualRoot}:\n"
            + string.Join('\n', problems.Take(40)));
    }

    private static void CompareEntry(string path, Entry want, Entry got, string wantPath, string gotPath, List<string> problems)
    {
        void Check<T>(string what, T expected, T actual)
        {
            if (!EqualityComparer<T>.Default.Equals(expected, actual))
            {
                problems.Add($"{path}: {what} {expected} != {actual}");
            }
        }

        Check("type", want.Kind, got.Kind);
        if (want.Kind != got.Kind)
        {
            return;
        }

        Check("mode", Convert.ToString(want.Status.Mode & 0xFFF, 8), Convert.ToString(got.Status.Mode & 0xFFF, 8));
        Check("uid", want.Status.Uid, got.Status.Uid);
        Check("gid", want.Status.Gid, got.Status.Gid);
        Check("mtime", want.Status.ModificationTimeSeconds, got.Status.ModificationTimeSeconds);
        Check("xattrs", string.Join("; ", want.Xattrs), string.Join("; ", got.Xattrs));
        switch (want.Kind)
        {
            case FileKind.File:
                Check("size", want.Status.Size, got.Status.Size);
                if (want.Status.Size == got.Status.Size && !SameContent(wantPath, gotPath))
                {
                    problems.Add($"{path}: content differs");
                }

                break;
            case FileKind.Symlink:
                Check("target", Convert.ToHexString(LinuxFiles.ReadLinkBytes(wantPath)), Convert.ToHexString(LinuxFiles.ReadLinkBytes(gotPath)));
                break;
            case FileKind.CharDevice or FileKind.BlockDevice:
                Check("rdev", (want.Status.RdevMajor, want.Status.RdevMinor), (got.Status.RdevMajor, got.Status.RdevMinor));
                break;
        }
    }

    private static bool SameContent(string a, string b)
    {
        using var left = File.OpenRead(a);
        using var right = File.OpenRead(b);
        byte[] x = new byte[1 << 16];
        byte[] y = new byte[1 << 16];
        while (true)
        {
            int n = left.ReadAtLeast(x, x.Length, throwOnEndOfStream: false);
            int m = right.ReadAtLeast(y, y.Length, throwOnEndOfStream: false);
            if (n != m || !x.AsSpan(0, n).SequenceEqual(y.AsSpan(0, m)))
            {
                return false;
            }

            if (n == 0)
            {
                return true;
            }
        }
    }

    /// <summary>Each group of names sharing one non-directory inode, as one sorted string.</summary>
    private static HashSet<string> HardLinkGroups(Dictionary<string, Entry> entries) =>
        entries.Where(e => e.Value.Kind != FileKind.Directory && e.Value.Status.LinkCount > 1)
            .GroupBy(e => e.Value.Status.Inode)
            .Select(g => string.Join(" = ", g.Select(e => e.Key).Order(StringComparer.Ordinal)))
            .ToHashSet();

    private static Dictionary<string, Entry> Collect(string root)
    {
        var result = new Dictionary<string, Entry>(StringComparer.Ordinal);
        var pending = new Stack<string>();
        pending.Push("");
        while (pending.Count > 0)
        {
            string relative = pending.Pop();
            string full = relative.Length == 0 ? root : Path.Join(root, relative);
            var status = LinuxFiles.LStat(full);
            var kind = InodeTypeExtensions.FromMode(status.Mode) ?? throw new InvalidOperationException($"odd mode at {full}");
            var xattrs = LinuxFiles.ListXattrs(full)
                .Order(StringComparer.Ordinal)
                .Select(name => $"{name}={Convert.ToHexString(LinuxFiles.GetXattr(full, name) ?? [])}")
                .ToList();
            result[relative.Length == 0 ? "." : relative] = new Entry(status, kind, xattrs);
            if (kind == FileKind.Directory)
            {
                foreach (string child in Directory.EnumerateFileSystemEntries(full))
                {
                    pending.Push(relative.Length == 0 ? Path.GetFileName(child) : Path.Join(relative, Path.GetFileName(child)));
                }
            }
        }

        return result;
    }
}
