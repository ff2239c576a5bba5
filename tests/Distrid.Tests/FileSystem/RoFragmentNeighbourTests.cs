using System.Text;
using Distrid.Tests.Fuse;
using Distrid.Tests.Support;

namespace Distrid.Tests.FileSystem;

/// <summary>
/// After a READ of a small file, the daemon pushes the files packed after it in the same fragment block into the page
/// cache: they must be there before anyone reads them, and every file must still read exactly as the kernel's own
/// squashfs shows the same image, with its size untouched, for images made by mksquashfs and by our writer.
/// </summary>
public sealed class RoFragmentNeighbourTests
{
    private const string Name = "frag-amd64-1-1";

    [Theory]
    [InlineData("mksquashfs")]
    [InlineData("distrid")]
    public async Task Reading_one_small_file_puts_its_fragment_neighbours_in_the_page_cache_with_the_kernels_bytes(string packer)
    {
        if (!Requirements.RootWith("mksquashfs", "mount", "umount", "/dev/fuse"))
        {
            return;
        }

        using var dir = new TempDirectory();
        var paths = new DaemonPaths(dir.Path);
        var files = SmallFiles();
        string image = packer == "mksquashfs" ? PackWithMksquashfs(dir.Path, paths.Store, files) : PackageFactory.Pack(paths.Store, Name, files, dir.Path);
        string kernelMount = Path.Combine(dir.Path, "kernel");
        Directory.CreateDirectory(kernelMount);
        Assert.Equal(0, ToolRunner.Run("mount", "-t", "squashfs", "-o", "loop,ro", image, kernelMount).ExitCode);
        try
        {
            await using var daemon = await DaemonProcess.StartAsync(paths);
            string root = Path.Combine(paths.Mountpoint, Name);

            // Listing the directory (READDIRPLUS) makes the kernel know every inode; then one small file is read.
            string[] names = [.. Directory.GetFiles(Path.Combine(root, "share/a")).Select(Path.GetFileName).Order(StringComparer.Ordinal)!];
            Assert.Equal(files.Keys.Count(k => k.StartsWith("share/a/", StringComparison.Ordinal)), names.Length);
            string first = Path.Combine(root, "share/a", names[0]);
            Assert.Equal(Encoding.ASCII.GetBytes(files["share/a/" + names[0]]), await File.ReadAllBytesAsync(first));

            // The next file shares the fragment block: its pages arrive without anyone reading it.
            string second = Path.Combine(root, "share/a", names[1]);
            bool pushed = SpinWait.SpinUntil(() => RoPageCacheTests.ResidentPages(second, 0, files["share/a/" + names[1]].Length) > 0, TimeSpan.FromSeconds(10));
            Assert.True(pushed, $"{names[1]} was not pushed into the page cache after reading {names[0]}");

            // Every file, through both mounts: the same bytes and sizes (a store past the end would grow a file).
            foreach (string path in files.Keys)
            {
                byte[] kernel = await File.ReadAllBytesAsync(Path.Combine(kernelMount, path));
                byte[] ours = await File.ReadAllBytesAsync(Path.Combine(root, path));
                Assert.True(kernel.AsSpan().SequenceEqual(ours), $"{path}: {ours.Length} bytes through /ro, {kernel.Length} through the kernel");
            }
        }
        finally
        {
            ToolRunner.Run("umount", kernelMount);
        }
    }

    /// <summary>Two directories of small files (fragments that span both), one with blocks and a tail, one symlink.</summary>
    private static Dictionary<string, string> SmallFiles()
    {
        var random = new Random(14);
        var files = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (string directory in (string[])["share/a", "share/b"])
        {
            for (int i = 0; i < 40; i++)
            {
                var chars = new char[random.Next(1, 6000)];
                for (int c = 0; c < chars.Length; c++)
                {
                    chars[c] = (char)('a' + random.Next(26));
                }

                files[$"{directory}/f{i:D2}.txt"] = new string(chars);
            }
        }

        files["share/a/m-big.txt"] = new string('x', 300_001);
        files["share/b/link"] = "->f00.txt";
        return files;
    }

    private static string PackWithMksquashfs(string work, string store, Dictionary<string, string> files)
    {
        string tree = Path.Combine(work, "tree");
        PackageFactory.WriteTree(tree, files);
        Directory.CreateDirectory(store);
        string image = Path.Combine(store, Name + ".squashfs");
        var result = ToolRunner.Run("mksquashfs", tree, image, "-comp", "zstd", "-noappend", "-quiet", "-no-progress");
        Assert.True(result.ExitCode == 0, result.StandardError);
        return image;
    }
}
