using System.Buffers.Binary;
using Distri.Core.SquashFs;
using Distri.Core.SquashFs.Reading;
using Distri.Core.SquashFs.Reading.Sources;
using Distri.Core.SquashFs.Unpacking;
using Distri.Core.Tests.Support;

namespace Distri.Core.Tests.SquashFs.Unpacking;

/// <summary>A hostile or corrupt image must not write outside the target, and a failed unpack leaves nothing.</summary>
public sealed class UnpackSafetyTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), $"distri-unpack-safety-{Guid.NewGuid():N}");

    [Theory]
    [InlineData("..")]
    [InlineData("a/")]
    [InlineData(".\0")]
    public void A_hostile_name_fails_the_unpack_and_leaves_nothing(string hostile)
    {
        if (!Requirements.Tools("mksquashfs"))
        {
            return;
        }

        byte[] image = MakeUncompressedImage(["ab", "zz"]);
        PatchName(image, "zz"u8, System.Text.Encoding.ASCII.GetBytes(hostile));
        string target = Path.Combine(_root, "out");
        using SquashFsImage opened = SquashFsImage.Open(new MemoryBlockSource(image), ownsSource: true);

        var error = Assert.Throws<SquashFsException>(() => ImageUnpacker.Unpack(opened, target));
        Assert.Equal(SquashFsError.CorruptMetadata, error.Error);
        Assert.False(Directory.Exists(target));
        Assert.Equal(["image.sqfs", "src"], Directory.EnumerateFileSystemEntries(_root).Select(Path.GetFileName).Order());
    }

    [Fact]
    public void Corrupt_file_data_fails_the_unpack_and_leaves_nothing()
    {
        if (!Requirements.Tools("mksquashfs"))
        {
            return;
        }

        byte[] image = MakeImage(["ab"], ["-comp", "gzip", "-no-fragments"], contentSize: 200_000);

        // The first data block starts right after the superblock; garble its deflate stream.
        for (int i = 100; i < 400; i++)
        {
            image[i] ^= 0x5A;
        }

        string target = Path.Combine(_root, "out");
        using SquashFsImage opened = SquashFsImage.Open(new MemoryBlockSource(image), ownsSource: true);
        var error = Assert.Throws<SquashFsException>(() => ImageUnpacker.Unpack(opened, target));
        Assert.Equal(SquashFsError.CorruptData, error.Error);
        Assert.False(Directory.Exists(target));
        Assert.DoesNotContain(Directory.EnumerateFileSystemEntries(_root), path => Path.GetFileName(path).Contains("unpack"));
    }

    [Fact]
    public void A_target_with_content_is_refused()
    {
        if (!Requirements.Tools("mksquashfs"))
        {
            return;
        }

        byte[] image = MakeUncompressedImage(["ab"]);
        string target = Path.Combine(_root, "busy");
        Directory.CreateDirectory(target);
        File.WriteAllText(Path.Combine(target, "keep"), "mine");
        using SquashFsImage opened = SquashFsImage.Open(new MemoryBlockSource(image), ownsSource: true);
        Assert.Throws<IOException>(() => ImageUnpacker.Unpack(opened, target));
        Assert.Equal("mine", File.ReadAllText(Path.Combine(target, "keep")));

        string empty = Path.Combine(_root, "empty");
        Directory.CreateDirectory(empty);
        UnpackResult result = ImageUnpacker.Unpack(opened, empty);
        Assert.Equal(1, result.Files);
        Assert.Equal("content of ab", File.ReadAllText(Path.Combine(empty, "ab")));
    }

    [Fact]
    public void A_directory_that_contains_itself_is_refused_not_walked_forever()
    {
        if (!Requirements.Tools("mksquashfs"))
        {
            return;
        }

        string source = Path.Combine(_root, "src");
        Directory.CreateDirectory(Path.Combine(source, "d"));
        File.WriteAllText(Path.Combine(source, "d", "x"), "x");
        string path = Path.Combine(_root, "image.sqfs");
        ProcessRunner.Run("mksquashfs", [source, path, "-noappend", "-quiet", "-no-progress", "-noI", "-noD", "-noF", "-noX"]);
        byte[] image = File.ReadAllBytes(path);
        ulong directoryRef;
        using (SquashFsImage original = SquashFsImage.Open(new MemoryBlockSource(image), ownsSource: true))
        {
            directoryRef = original.Lookup("d");
        }

        // Point d/x at d itself: entry {offset u16, inode delta s16, type u16, name size-1 u16} precedes the name.
        int directoryTable = (int)BinaryPrimitives.ReadUInt64LittleEndian(image.AsSpan(72));
        int name = directoryTable + image.AsSpan(directoryTable).IndexOf("\0\0x"u8) + 2;
        Assert.Equal(0u, (uint)(directoryRef >> 16));
        BinaryPrimitives.WriteUInt16LittleEndian(image.AsSpan(name - 8), (ushort)directoryRef);
        BinaryPrimitives.WriteUInt16LittleEndian(image.AsSpan(name - 4), 1);

        using SquashFsImage looped = SquashFsImage.Open(new MemoryBlockSource(image), ownsSource: true);
        Assert.Equal(directoryRef, looped.Lookup("d/x/x/x/x"));
        Assert.Equal(SquashFsError.CorruptMetadata, Assert.Throws<SquashFsException>(() => ImageScanner.Scan(looped)).Error);
        string target = Path.Combine(_root, "out");
        Assert.Equal(SquashFsError.CorruptMetadata, Assert.Throws<SquashFsException>(() => ImageUnpacker.Unpack(looped, target)).Error);
        Assert.False(Directory.Exists(target));
    }

    public void Dispose()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    private byte[] MakeUncompressedImage(string[] names) => MakeImage(names, ["-noI", "-noD", "-noF", "-noX"], contentSize: 0);

    private byte[] MakeImage(string[] names, string[] options, int contentSize)
    {
        string source = Path.Combine(_root, "src");
        Directory.CreateDirectory(source);
        foreach (string name in names)
        {
            // Compressible text, so the data blocks are really compressed (random bytes would be stored raw).
            byte[] content = contentSize > 0
                ? System.Text.Encoding.ASCII.GetBytes(string.Concat(Enumerable.Range(0, contentSize / 8 + 1).Select(i => $"{i:D7}\n")))[..contentSize]
                : System.Text.Encoding.ASCII.GetBytes($"content of {name}");
            File.WriteAllBytes(Path.Combine(source, name), content);
        }

        string image = Path.Combine(_root, "image.sqfs");
        ProcessRunner.Run("mksquashfs", [source, image, "-noappend", "-quiet", "-no-progress", .. options]);
        return File.ReadAllBytes(image);
    }

    /// <summary>Overwrites a name in the (uncompressed) directory table.</summary>
    private static void PatchName(byte[] image, ReadOnlySpan<byte> name, ReadOnlySpan<byte> replacement)
    {
        int directoryTable = (int)BinaryPrimitives.ReadUInt64LittleEndian(image.AsSpan(72));
        int at = image.AsSpan(directoryTable).IndexOf(name);
        Assert.True(at >= 0, "name not found in the directory table");
        replacement.CopyTo(image.AsSpan(directoryTable + at));
    }
}
