using System.Text;

namespace Distrid.Tests.Fuse;

/// <summary>The tree most kernel tests mount: small and empty files, a 3 MiB file, directories, symlinks, xattrs.</summary>
internal static class SampleTree
{
    public const string HelloText = "Hello, FUSE!\n";
    public const int BigSize = 3 * 1024 * 1024;

    public static byte[] BigContent { get; } = CreateBigContent();

    public static MemoryFileSystem Create(bool withXattrs = true)
    {
        var fs = new MemoryFileSystem(withXattrs);
        MemoryNode hello = fs.AddFile(fs.Root, "hello.txt", Encoding.UTF8.GetBytes(HelloText));
        hello.Xattrs.Add(("user.origin"u8.ToArray(), "memory"u8.ToArray()));
        hello.Xattrs.Add(("user.empty"u8.ToArray(), []));
        fs.AddFile(fs.Root, "empty", []);
        fs.AddFile(fs.Root, "big.bin", BigContent);
        MemoryNode dir = fs.AddDirectory(fs.Root, "dir");
        fs.AddFile(dir, "nested.txt", "nested\n"u8.ToArray());
        fs.AddDirectory(dir, "sub");
        fs.AddSymlink(dir, "uplink", "../hello.txt");
        fs.AddSymlink(fs.Root, "link", "hello.txt");
        return fs;
    }

    private static byte[] CreateBigContent()
    {
        var content = new byte[BigSize];
        new Random(42).NextBytes(content);
        return content;
    }
}
