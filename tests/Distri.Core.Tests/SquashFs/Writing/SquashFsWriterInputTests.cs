using System.Text;
using Distri.Core.FileTree;
using Distri.Core.SquashFs;
using Distri.Core.SquashFs.Format;
using Distri.Core.SquashFs.Writing;

namespace Distri.Core.Tests.SquashFs.Writing;

/// <summary>Input the format cannot hold is refused with a clear error before anything half-written escapes.</summary>
public sealed class SquashFsWriterInputTests
{
    [Fact]
    public void A_name_longer_than_255_bytes_is_invalid_input()
    {
        var root = new SourceDirectory();
        root.Add(new string('x', 256), SourceFile.FromBytes([1]));
        var error = Assert.Throws<SquashFsException>(() => Pack(root));
        Assert.Equal(SquashFsError.InvalidInput, error.Error);
        Assert.Contains("256 bytes", error.Message);
    }

    [Fact]
    public void A_255_byte_multibyte_name_is_accepted()
    {
        var root = new SourceDirectory();
        root.Add(string.Concat(Enumerable.Repeat("\u65E5", 85)), SourceFile.FromBytes([1]));
        Assert.True(Pack(root).Length > 0);
    }

    [Theory]
    [InlineData("")]
    [InlineData(".")]
    [InlineData("..")]
    [InlineData("a/b")]
    [InlineData("nul\0byte")]
    public void Names_the_kernel_cannot_hold_are_invalid_input(string name)
    {
        var root = new SourceDirectory();
        root.Add(Encoding.UTF8.GetBytes(name), new SourceSymlink("target"));
        Assert.Equal(SquashFsError.InvalidInput, Assert.Throws<SquashFsException>(() => Pack(root)).Error);
    }

    [Fact]
    public void Duplicate_names_are_invalid_input()
    {
        var root = new SourceDirectory();
        root.Add("twice", SourceFile.FromBytes([1]));
        root.Add("twice", new SourceDirectory());
        var error = Assert.Throws<SquashFsException>(() => Pack(root));
        Assert.Contains("/twice appears twice", error.Message);
    }

    [Fact]
    public void A_directory_placed_twice_is_invalid_input()
    {
        var root = new SourceDirectory();
        var shared = new SourceDirectory();
        root.Add("one", shared);
        root.Add("two", shared);
        Assert.Equal(SquashFsError.InvalidInput, Assert.Throws<SquashFsException>(() => Pack(root)).Error);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(4096)]
    public void Symlink_targets_must_be_1_to_4095_bytes(int length)
    {
        var root = new SourceDirectory();
        root.Add("link", new SourceSymlink(new byte[length].Select(_ => (byte)'a').ToArray()));
        Assert.Equal(SquashFsError.InvalidInput, Assert.Throws<SquashFsException>(() => Pack(root)).Error);
    }

    [Fact]
    public void Xattrs_outside_the_three_namespaces_are_invalid_input()
    {
        var root = new SourceDirectory();
        var file = root.Add("f", SourceFile.FromBytes([1]));
        file.Xattrs.Add(new SourceXattr("system.posix_acl_access", [2]));
        var error = Assert.Throws<SquashFsException>(() => Pack(root));
        Assert.Contains("system.posix_acl_access", error.Message);
    }

    [Theory]
    [InlineData(2048)]
    [InlineData(3 << 12)]
    [InlineData(2 << 20)]
    public void Block_sizes_must_be_powers_of_two_from_4_KiB_to_1_MiB(int blockSize)
    {
        var error = Assert.Throws<SquashFsException>(() => Pack(new SourceDirectory(), new SquashFsWriterOptions { BlockSize = blockSize }));
        Assert.Equal(SquashFsError.InvalidInput, error.Error);
    }

    [Fact]
    public void Writing_lz4_is_refused_as_unsupported()
    {
        var error = Assert.Throws<SquashFsException>(() => Pack(new SourceDirectory(), new SquashFsWriterOptions { Compression = CompressionId.Lz4 }));
        Assert.Equal(SquashFsError.UnsupportedCompressor, error.Error);
    }

    [Fact]
    public void Content_shorter_than_its_declared_length_is_an_io_error_naming_the_file()
    {
        var root = new SourceDirectory();
        root.Add("short", SourceFile.FromStream(1000, () => new MemoryStream(new byte[10])));
        var error = Assert.Throws<IOException>(() => Pack(root));
        Assert.Contains("ended after 10 of its 1000 bytes", error.Message);
    }

    [Fact]
    public void The_image_time_comes_from_the_options_and_the_superblock_is_valid()
    {
        var root = new SourceDirectory();
        root.Add("f", SourceFile.FromBytes(Encoding.UTF8.GetBytes("hello")));
        byte[] image = Pack(root, new SquashFsWriterOptions { ModificationTime = 1_700_000_000 });
        var superblock = Superblock.Read(image, image.Length);
        Assert.Equal(1_700_000_000u, superblock.ModificationTime);
        Assert.Equal(2u, superblock.InodeCount);
        Assert.Equal(0, image.Length % 4096);
        Assert.True(superblock.BytesUsed <= (ulong)image.Length);
    }

    private static byte[] Pack(SourceDirectory root, SquashFsWriterOptions? options = null)
    {
        using var stream = new MemoryStream();
        SquashFsWriter.Write(root, stream, options ?? new SquashFsWriterOptions { MaxParallelism = 2 });
        return stream.ToArray();
    }
}
