namespace Distri.Core.Tests.Support;

/// <summary>TreeComparer must notice each kind of difference, or the unpack tests prove nothing.</summary>
public sealed class TreeComparerTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), $"distri-treecomparer-{Guid.NewGuid():N}");

    [Fact]
    public void Reports_each_kind_of_difference()
    {
        string left = Path.Combine(_root, "left");
        Directory.CreateDirectory(Path.Combine(left, "dir"));
        File.WriteAllText(Path.Combine(left, "dir", "content"), "one");
        File.WriteAllText(Path.Combine(left, "mode"), "x");
        File.WriteAllText(Path.Combine(left, "time"), "x");
        File.WriteAllText(Path.Combine(left, "xattr"), "x");
        File.WriteAllText(Path.Combine(left, "linked"), "x");
        File.CreateSymbolicLink(Path.Combine(left, "link"), "target-a");
        File.WriteAllText(Path.Combine(left, "missing"), "x");
        NativeCalls.Chmod(Path.Combine(left, "mode"), 0x1A4 /* 0644 */);
        string right = Path.Combine(_root, "right");
        ProcessRunner.Run("cp", "-a", left, right);
        Assert.Empty(TreeComparer.Compare(left, right));

        File.WriteAllText(Path.Combine(right, "dir", "content"), "two");
        NativeCalls.Chmod(Path.Combine(right, "mode"), 0x100 /* 0400 */);
        File.SetLastWriteTimeUtc(Path.Combine(right, "time"), new DateTime(2001, 1, 1, 0, 0, 0, DateTimeKind.Utc));
        NativeCalls.SetXattr(Path.Combine(right, "xattr"), "user.extra", "v"u8.ToArray());
        NativeCalls.Link(Path.Combine(right, "linked"), Path.Combine(right, "second-link"));
        File.Delete(Path.Combine(right, "link"));
        File.CreateSymbolicLink(Path.Combine(right, "link"), "target-b");
        File.Delete(Path.Combine(right, "missing"));
        Directory.CreateDirectory(Path.Combine(right, "dir", "sub"));

        string all = string.Join('\n', TreeComparer.Compare(left, right));
        Assert.Contains("dir/content: content differs", all);
        Assert.Contains("mode: mode 0644 != 0400", all);
        Assert.Contains("time: mtime", all);
        Assert.Contains("xattr: xattrs", all);
        Assert.Contains("link: target target-a != target-b", all);
        Assert.Contains("missing: missing", all);
        Assert.Contains("second-link: unexpected", all);
        Assert.Contains("linked: nlink 1 != 2", all);
        Assert.Contains("unexpected hard-link group: linked, second-link", all);
        Assert.Contains("dir: nlink 2 != 3", all);
    }

    public void Dispose()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }
}
