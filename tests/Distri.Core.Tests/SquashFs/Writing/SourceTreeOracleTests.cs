using System.Text;
using Distri.Core.FileTree;
using Distri.Core.SquashFs.Format;
using Distri.Core.SquashFs.Writing;
using Distri.Core.Tests.Support;

namespace Distri.Core.Tests.SquashFs.Writing;

/// <summary>Trees built in memory (as import-deb will build them) and read back through the kernel.</summary>
public sealed class SourceTreeOracleTests : IDisposable
{
    private readonly string _work = Path.Combine(Path.GetTempPath(), "distri-writer-mem-" + Guid.NewGuid().ToString("N")[..12]);

    public SourceTreeOracleTests() => Directory.CreateDirectory(_work);

    public void Dispose() => Directory.Delete(_work, recursive: true);

    [Fact]
    public void An_in_memory_tree_with_every_node_type_mounts_as_built()
    {
        if (!Requirements.RootWith(Requirements.MountOracleTools))
        {
            return;
        }

        var root = new SourceDirectory { Permissions = 0x1ED, ModificationTime = 1_600_000_000 };
        var bin = root.Add("bin", new SourceDirectory { Uid = 5, Gid = 6 });
        var tool = bin.Add("tool", SourceFile.FromStream(3, () => new MemoryStream("abc"u8.ToArray())));
        tool.Permissions = 0x9ED; // 4755
        tool.ModificationTime = 1_500_000_000;
        tool.Xattrs.Add(new SourceXattr("security.label", [1, 2, 3]));
        bin.Add("tool-link", tool); // hard link: the same node twice
        root.Add("sock", new SourceSpecialFile(FileKind.Socket));
        root.Add("fifo", new SourceSpecialFile(FileKind.Fifo)).Xattrs.Add(new SourceXattr("trusted.a", [9]));
        root.Add("tty", new SourceDevice(FileKind.CharDevice, 4, 64));
        root.Add("link", new SourceSymlink("bin/tool")).Uid = 77;

        string image = Path.Combine(_work, "mem.sqfs");
        SquashFsWriter.WriteFile(root, image, new SquashFsWriterOptions { Compression = CompressionId.Zlib });
        WithMount(image, mount =>
        {
            var toolStatus = NativeCalls.LStat(Path.Combine(mount, "bin/tool"));
            Assert.Equal(0x89EDu, toolStatus.Mode);
            Assert.Equal(2u, toolStatus.LinkCount);
            Assert.Equal(toolStatus.Inode, NativeCalls.LStat(Path.Combine(mount, "bin/tool-link")).Inode);
            Assert.Equal(1_500_000_000, toolStatus.ModificationTimeSeconds);
            Assert.Equal("abc", File.ReadAllText(Path.Combine(mount, "bin/tool")));
            Assert.Equal([1, 2, 3], NativeCalls.GetXattrs(Path.Combine(mount, "bin/tool"))["security.label"]);
            Assert.Equal(5u, NativeCalls.LStat(Path.Combine(mount, "bin")).Uid);
            Assert.Equal(0xC000u, NativeCalls.LStat(Path.Combine(mount, "sock")).Mode & 0xF000);
            Assert.Equal([9], NativeCalls.GetXattrs(Path.Combine(mount, "fifo"))["trusted.a"]);
            var tty = NativeCalls.LStat(Path.Combine(mount, "tty"));
            Assert.Equal((4u, 64u), (tty.RdevMajor, tty.RdevMinor));
            Assert.Equal("bin/tool", Encoding.UTF8.GetString(NativeCalls.ReadLink(Path.Combine(mount, "link"))));
            Assert.Equal(77u, NativeCalls.LStat(Path.Combine(mount, "link")).Uid);
            Assert.Equal(1_600_000_000, NativeCalls.LStat(mount).ModificationTimeSeconds);
        });
    }

    [Fact]
    public void A_file_over_4_GiB_uses_an_extended_inode_and_reads_back()
    {
        if (!Requirements.RootWith(Requirements.MountOracleTools))
        {
            return;
        }

        const long Length = (9L << 29) + 12345; // 4.5 GiB and a bit: holes, then a text tail
        var root = new SourceDirectory();
        root.Add("huge", SourceFile.FromStream(Length, () => new ZerosThenTailStream(Length, "the end"u8.ToArray())));
        string image = Path.Combine(_work, "huge.sqfs");
        SquashFsWriter.WriteFile(root, image, new SquashFsWriterOptions { BlockSize = 1 << 20 });

        Assert.True(new FileInfo(image).Length < 1 << 20, "holes must not be stored");
        WithMount(image, mount =>
        {
            string huge = Path.Combine(mount, "huge");
            Assert.Equal(Length, new FileInfo(huge).Length);
            using var stream = File.OpenRead(huge);
            stream.Position = Length - 20;
            byte[] tail = new byte[20];
            stream.ReadExactly(tail);
            Assert.Equal("\0\0\0\0\0\0\0\0\0\0\0\0\0the end", Encoding.ASCII.GetString(tail));
        });
    }

    [Fact]
    public void Identical_xattr_sets_and_identical_files_are_stored_once()
    {
        if (!Requirements.RootWith(Requirements.MountOracleTools))
        {
            return;
        }

        var root = new SourceDirectory();
        byte[] content = new byte[5000];
        new Random(3).NextBytes(content);
        for (int i = 0; i < 10; i++)
        {
            var file = root.Add($"copy-{i}", SourceFile.FromBytes(content));
            file.Xattrs.Add(new SourceXattr("user.b", [2]));
            file.Xattrs.Add(new SourceXattr("user.a", [1]));
            if (i % 2 == 1)
            {
                file.Xattrs.Reverse();
            }
        }

        byte[] large = new byte[300_000];
        new Random(4).NextBytes(large);
        byte[] sameSizeOther = (byte[])large.Clone();
        sameSizeOther[^1] ^= 1;
        byte[] sameSizeFirstBlockDiffers = (byte[])large.Clone();
        sameSizeFirstBlockDiffers[0] ^= 1;
        root.Add("large-1", SourceFile.FromBytes(large));
        root.Add("large-2", SourceFile.FromBytes(large));
        root.Add("large-other", SourceFile.FromBytes(sameSizeOther));
        root.Add("large-start-differs", SourceFile.FromBytes(sameSizeFirstBlockDiffers));

        string image = Path.Combine(_work, "dedup.sqfs");
        SquashFsWriter.WriteFile(root, image, new SquashFsWriterOptions { Compression = CompressionId.None });
        string stat = ProcessRunner.Output("unsquashfs", "-stat", image);
        Assert.Contains("Number of xattr ids 1", stat);
        long expectedMaximum = content.Length + (3 * large.Length) + 8192;
        Assert.True(new FileInfo(image).Length < expectedMaximum, "copies must share one stored tail and one set of blocks");
        WithMount(image, mount =>
        {
            for (int i = 0; i < 10; i++)
            {
                Assert.Equal(content, File.ReadAllBytes(Path.Combine(mount, $"copy-{i}")));
                Assert.Equal([1], NativeCalls.GetXattrs(Path.Combine(mount, $"copy-{i}"))["user.a"]);
            }

            Assert.Equal(large, File.ReadAllBytes(Path.Combine(mount, "large-1")));
            Assert.Equal(large, File.ReadAllBytes(Path.Combine(mount, "large-2")));
            Assert.Equal(sameSizeOther, File.ReadAllBytes(Path.Combine(mount, "large-other")));
            Assert.Equal(sameSizeFirstBlockDiffers, File.ReadAllBytes(Path.Combine(mount, "large-start-differs")));
        });
    }

    private void WithMount(string image, Action<string> check) =>
        KernelMount.With(image, Path.Combine(_work, "mnt-" + Guid.NewGuid().ToString("N")[..8]), check);

    /// <summary>A long stream of zeros ending in a few bytes, produced without touching the disk.</summary>
    private sealed class ZerosThenTailStream(long length, byte[] tail) : Stream
    {
        private long _position;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => length;

        public override long Position
        {
            get => _position;
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            int n = (int)Math.Min(buffer.Length, length - _position);
            buffer = buffer[..n];
            buffer.Clear();
            long tailStart = length - tail.Length;
            for (long at = Math.Max(_position, tailStart); at < _position + n; at++)
            {
                buffer[(int)(at - _position)] = tail[at - tailStart];
            }

            _position += n;
            return n;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
