using System.Text;
using Distri.Core.FileTree;
using Distri.Core.SquashFs.Format;
using Distri.Core.Tests.Support;

namespace Distri.Core.Tests.SquashFs.Writing;

public sealed class DirectoryScannerTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "distri-scan-" + Guid.NewGuid().ToString("N")[..12]);

    public DirectoryScannerTests() => Directory.CreateDirectory(_root);

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public void Scan_keeps_symlinks_finds_hard_links_and_reads_xattrs()
    {
        Directory.CreateDirectory(Path.Combine(_root, "sub"));
        File.WriteAllText(Path.Combine(_root, "sub", "file"), "content");
        NativeCalls.Link(Path.Combine(_root, "sub", "file"), Path.Combine(_root, "again"));
        File.CreateSymbolicLink(Path.Combine(_root, "to-sub"), "sub");
        NativeCalls.SetXattr(Path.Combine(_root, "sub", "file"), "user.note", "hi"u8.ToArray());
        NativeCalls.Chmod(Path.Combine(_root, "again"), 0x140);

        var root = DirectoryScanner.Scan(_root);

        var byName = root.Entries.ToDictionary(e => e.DisplayName, e => e.Node);
        var sub = Assert.IsType<SourceDirectory>(byName["sub"]);
        var file = Assert.IsType<SourceFile>(Assert.Single(sub.Entries).Node);
        Assert.Same(file, byName["again"]);
        Assert.Equal(7, file.Length);
        Assert.Equal(0x140, file.Permissions); // 0500
        var link = Assert.IsType<SourceSymlink>(byName["to-sub"]);
        Assert.Equal("sub", Encoding.UTF8.GetString(link.Target));
        var note = Assert.Single(file.Xattrs);
        Assert.Equal("user.note", note.Name);
        Assert.Equal("hi"u8.ToArray(), note.Value);
        Assert.Equal(FileKind.Directory, root.Kind);
    }

    [Fact]
    public void Scanning_a_missing_directory_names_the_path()
    {
        string missing = Path.Combine(_root, "missing");
        var error = Assert.Throws<IOException>(() => DirectoryScanner.Scan(missing));
        Assert.Contains(missing, error.Message);
    }

    [Fact]
    public void Scanning_a_file_is_refused()
    {
        string file = Path.Combine(_root, "plain");
        File.WriteAllText(file, "x");
        var error = Assert.Throws<IOException>(() => DirectoryScanner.Scan(file));
        Assert.Contains("not a directory", error.Message);
    }
}
