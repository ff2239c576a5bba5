using System.Security.Cryptography;
using Distri.Core.FileTree;
using Distri.Core.SquashFs.Format;
using Distri.Core.SquashFs.Writing;
using Distri.Core.Tests.Support;

namespace Distri.Core.Tests.SquashFs.Writing;

/// <summary>
/// Packs the edge-case tree and checks the image with independent readers: squashfs-tools' unsquashfs and the
/// kernel's squashfs driver (loop mount). Both must give back a tree identical to the source.
/// </summary>
public sealed class SquashFsWriterOracleTests(EdgeCaseTreeFixture fixture) : IClassFixture<EdgeCaseTreeFixture>
{
    [Theory]
    [InlineData(CompressionId.None)]
    [InlineData(CompressionId.Zlib)]
    [InlineData(CompressionId.Zstd)]
    public void Unsquashfs_and_the_kernel_read_back_the_source_tree(CompressionId compression)
    {
        if (!Requirements.RootWith(Requirements.MountOracleTools))
        {
            return;
        }

        string image = Pack(new SquashFsWriterOptions { Compression = compression });

        string stat = ProcessRunner.Output("unsquashfs", "-stat", image);
        Assert.Contains(compression == CompressionId.Zstd ? "Compression zstd" : "Compression gzip", stat);

        string extracted = fixture.NewPath("unsquashfs");
        ProcessRunner.Run("unsquashfs", "-no-progress", "-d", extracted, image);
        TreeComparer.AssertSame(fixture.SourceDirectory, extracted);

        AssertKernelMountMatchesSource(image);
    }

    [Theory]
    [InlineData(4096, true)]
    [InlineData(1 << 20, true)]
    [InlineData(SquashFsLayout.DefaultBlockSize, false)]
    public void Other_block_sizes_and_no_fragments_mount_identically(int blockSize, bool fragments)
    {
        if (!Requirements.RootWith(Requirements.MountOracleTools))
        {
            return;
        }

        string image = Pack(new SquashFsWriterOptions
        {
            Compression = CompressionId.Zlib,
            CompressionLevel = 1,
            BlockSize = blockSize,
            Fragments = fragments,
        });

        AssertKernelMountMatchesSource(image);
        string stat = ProcessRunner.Output("unsquashfs", "-stat", image);
        Assert.Contains($"Block size {blockSize}", stat);
        Assert.Contains(fragments ? "Number of fragments" : "Fragments are not stored", stat);
    }

    [Fact]
    public void Our_image_and_mksquashfs_image_mount_identically_link_counts_included()
    {
        if (!Requirements.RootWith([.. Requirements.MountOracleTools, "mksquashfs"]))
        {
            return;
        }

        string ours = Pack(new SquashFsWriterOptions { Compression = CompressionId.Zlib });
        string theirs = fixture.NewPath("mksquashfs") + ".sqfs";
        ProcessRunner.Run("mksquashfs", fixture.SourceDirectory, theirs, "-noappend", "-quiet", "-no-progress", "-comp", "gzip", "-xattrs");

        // The root too: both the image root's link count and its attributes come from the source directory.
        WithMount(theirs, theirMount => WithMount(ours, ourMount => TreeComparer.AssertSame(theirMount, ourMount)));
    }

    [Fact]
    public void Nested_directories_have_two_plus_subdirectories_links_like_the_source()
    {
        if (!Requirements.RootWith(Requirements.MountOracleTools))
        {
            return;
        }

        // The case of issue 10 item 8: `mkdir -p x/a/b` packed gave 4 and 3 where the source has 3 and 2.
        string source = fixture.NewPath("nested");
        Directory.CreateDirectory(Path.Combine(source, "a", "b"));
        Directory.CreateDirectory(Path.Combine(source, "c"));
        string image = fixture.NewPath("nested") + ".sqfs";
        SquashFsWriter.WriteFile(DirectoryScanner.Scan(source), image, new SquashFsWriterOptions());

        WithMount(image, mount =>
        {
            Assert.Equal(4u, NativeCalls.LStat(mount).LinkCount);
            Assert.Equal(3u, NativeCalls.LStat(Path.Combine(mount, "a")).LinkCount);
            Assert.Equal(2u, NativeCalls.LStat(Path.Combine(mount, "a", "b")).LinkCount);
            Assert.Equal(2u, NativeCalls.LStat(Path.Combine(mount, "c")).LinkCount);
            TreeComparer.AssertSame(source, mount, new TreeComparison { Xattrs = false }); // no xattrs, so the kernel answers EOPNOTSUPP
        });
    }

    [Fact]
    public void Packing_twice_gives_identical_bytes_whatever_the_thread_count()
    {
        if (!Requirements.RootWith(Requirements.MountOracleTools))
        {
            return;
        }

        string parallel = Pack(new SquashFsWriterOptions { MaxParallelism = 4 });
        string serial = Pack(new SquashFsWriterOptions { MaxParallelism = 1 });
        string again = Pack(new SquashFsWriterOptions { MaxParallelism = 4 });

        string digest = Digest(parallel);
        Assert.Equal(digest, Digest(serial));
        Assert.Equal(digest, Digest(again));
        Assert.Equal(0, new FileInfo(parallel).Length % 4096);
    }

    [Fact]
    public void Large_directory_gets_an_index_and_every_name_is_found_by_lookup()
    {
        if (!Requirements.RootWith(Requirements.MountOracleTools))
        {
            return;
        }

        string image = Pack(new SquashFsWriterOptions { Compression = CompressionId.None });
        WithMount(image, mount =>
        {
            // Lookups by name exercise the directory index; a wrong index gives ENOENT, not a listing error.
            foreach (string source in Directory.EnumerateFileSystemEntries(Path.Combine(fixture.SourceDirectory, "large-dir")))
            {
                string name = Path.GetFileName(source);
                Assert.True(Path.Exists(Path.Combine(mount, "large-dir", name)), $"lookup of {name} failed");
            }

            Assert.Equal(EdgeCaseTree.LargeDirectoryEntries, Directory.GetFileSystemEntries(Path.Combine(mount, "large-dir")).Length);
        });
    }

    [Fact]
    public void The_tree_comparison_notices_changed_modes_content_xattrs_links_and_directory_link_counts()
    {
        if (!Requirements.RootWith(Requirements.MountOracleTools))
        {
            return;
        }

        // Guards the oracle itself: a comparison that sees nothing would make every test above pass.
        string image = Pack(new SquashFsWriterOptions { Compression = CompressionId.None });
        string copy = fixture.NewPath("mutated");
        ProcessRunner.Run("unsquashfs", "-no-progress", "-d", copy, image);
        NativeCalls.Chmod(Path.Combine(copy, "owners", "setuid"), 0x1ED);
        File.WriteAllText(Path.Combine(copy, "sizes", "size-1"), "Z");
        NativeCalls.SetXattr(Path.Combine(copy, "xattrs", "same-0"), "user.shared", "changed"u8.ToArray());
        File.Delete(Path.Combine(copy, "hard-other", "a-again"));
        File.WriteAllText(Path.Combine(copy, "hard-other", "a-again"), "linked twice, across directories\n");
        Directory.CreateDirectory(Path.Combine(copy, "sizes", "extra-subdirectory"));

        var error = Assert.ThrowsAny<Xunit.Sdk.XunitException>(() => TreeComparer.AssertSame(fixture.SourceDirectory, copy));
        Assert.Contains("owners/setuid: mode 04755 != 0755", error.Message);
        Assert.Contains("sizes/size-1: content differs", error.Message);
        Assert.Contains("xattrs/same-0: xattrs", error.Message);
        Assert.Contains("hard-link group missing: hard-other/a-again, hard/a", error.Message);
        Assert.Contains("sizes: nlink", error.Message);
    }

    private string Pack(SquashFsWriterOptions options)
    {
        var root = DirectoryScanner.Scan(fixture.SourceDirectory);
        string image = fixture.NewPath("image") + ".sqfs";
        Directory.CreateDirectory(fixture.WorkDirectory);
        SquashFsWriter.WriteFile(root, image, options);
        return image;
    }

    private void AssertKernelMountMatchesSource(string image) =>
        WithMount(image, mount => TreeComparer.AssertSame(fixture.SourceDirectory, mount));

    private void WithMount(string image, Action<string> check) => KernelMount.With(image, fixture.NewPath("mount"), check);

    private static string Digest(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexString(SHA256.HashData(stream));
    }
}
