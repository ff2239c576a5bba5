using System.Text;
using Distri.Core.SquashFs;
using Distri.Core.SquashFs.Format;
using Distri.Core.SquashFs.Reading;
using Distri.Core.SquashFs.Reading.Directories;
using Distri.Core.SquashFs.Reading.Inodes;
using Distri.Core.Tests.Support;

namespace Distri.Core.Tests.SquashFs.Reading;

/// <summary>The reader's API against mksquashfs images of the edge-case tree, with the source tree as the oracle.</summary>
[Collection(MksquashfsCollection.Name)]
public sealed class ReaderTests(MksquashfsImages images)
{
    [Theory]
    [InlineData("zstd")]
    [InlineData("uncompressed")]
    [InlineData("block-4k")]
    [InlineData("always-fragments")]
    public void Random_reads_match_the_source(string variant)
    {
        if (!ImageAssertions.Ready(images))
        {
            return;
        }

        using SquashFsImage image = SquashFsImage.Open(images.Image(variant));
        var random = new Random(7);
        foreach (string relative in (string[])["big/three-mib.bin", "big/sparse.img", "big/sparse-tail-hole.img", "big/zeros.bin", .. EdgeCaseTree.BoundarySizes.Select(s => $"sizes/size-{s}")])
        {
            byte[] expected = File.ReadAllBytes(Path.Join(images.Source, relative));
            InodeAttributes file = image.GetInode(image.Lookup(relative));
            Assert.Equal((ulong)expected.Length, file.Size);
            for (int i = 0; i < 60; i++)
            {
                long offset = random.Next(expected.Length + 10);
                int length = random.Next(1, i % 3 == 0 ? 300_000 : 5000);
                byte[] actual = new byte[length];
                int read = image.Read(file, offset, actual);
                int wanted = (int)Math.Clamp(expected.Length - offset, 0, length);
                Assert.Equal(wanted, read);
                Assert.True(
                    expected.AsSpan((int)Math.Min(offset, expected.Length), wanted).SequenceEqual(actual.AsSpan(0, read)),
                    $"{relative} differs at offset {offset}, length {length}");
            }
        }
    }

    [Theory]
    [InlineData("zstd")]
    [InlineData("uncompressed")]
    [InlineData("block-4k")]
    public void Block_aligned_reads_of_whole_blocks_match_the_source_whether_cached_or_not(string variant)
    {
        if (!ImageAssertions.Ready(images))
        {
            return;
        }

        // Whole blocks skip the block cache (decompressed straight into the caller's span) unless they are cached:
        // a small read first caches some blocks, then aligned 1 MiB reads mix both paths, tail blocks included.
        using SquashFsImage image = SquashFsImage.Open(images.Image(variant));
        uint blockSize = image.Superblock.BlockSize;
        foreach (string relative in (string[])["big/three-mib.bin", "big/sparse.img", "big/zeros.bin", .. EdgeCaseTree.BoundarySizes.Select(s => $"sizes/size-{s}")])
        {
            byte[] expected = File.ReadAllBytes(Path.Join(images.Source, relative));
            InodeAttributes file = image.GetInode(image.Lookup(relative));
            byte[] probe = new byte[1];
            for (long offset = blockSize / 2; offset < expected.Length; offset += 3L * blockSize)
            {
                Assert.Equal(1, image.Read(file, offset, probe));
            }

            byte[] chunk = new byte[1024 * 1024];
            for (long offset = 0; offset < expected.Length; offset += chunk.Length)
            {
                int read = image.Read(file, offset, chunk);
                Assert.Equal((int)Math.Min(chunk.Length, expected.Length - offset), read);
                Assert.True(expected.AsSpan((int)offset, read).SequenceEqual(chunk.AsSpan(0, read)), $"{relative} differs in the MiB at {offset}");
            }
        }
    }

    [Fact]
    public void Concurrent_reads_from_eight_threads_return_the_right_bytes()
    {
        if (!ImageAssertions.Ready(images))
        {
            return;
        }

        // A small cache forces constant eviction while other threads still copy from blocks.
        using SquashFsImage image = SquashFsImage.Open(images.Image("zstd"), new SquashFsReadOptions { DataCacheBytes = 1 << 20 });
        byte[] expected = File.ReadAllBytes(Path.Join(images.Source, "big/three-mib.bin"));
        ulong fileRef = image.Lookup("big/three-mib.bin");
        int failures = 0;
        Parallel.For(0, 8, new ParallelOptions { MaxDegreeOfParallelism = 8 }, thread =>
        {
            var random = new Random(thread);
            byte[] buffer = new byte[64 * 1024];
            for (int i = 0; i < 400; i++)
            {
                int offset = random.Next(expected.Length);
                int length = random.Next(1, buffer.Length);
                int read = image.Read(fileRef, offset, buffer.AsSpan(0, length));
                if (read != Math.Min(length, expected.Length - offset)
                    || !expected.AsSpan(offset, read).SequenceEqual(buffer.AsSpan(0, read)))
                {
                    Interlocked.Increment(ref failures);
                }
            }
        });
        Assert.Equal(0, failures);
    }

    [Fact]
    public void Lookup_finds_every_entry_of_a_large_directory_and_nothing_else()
    {
        if (!ImageAssertions.Ready(images))
        {
            return;
        }

        using SquashFsImage image = SquashFsImage.Open(images.Image("gzip"));
        ulong many = image.Lookup("many");
        InodeAttributes directory = image.GetInode(many);
        Assert.Equal(InodeType.ExtendedDirectory, directory.Type);
        for (int i = 0; i < EdgeCaseTree.LargeDirectoryEntries; i++)
        {
            Assert.True(image.TryLookup(many, Encoding.UTF8.GetBytes($"entry-{i:D4}"), out DirectoryEntry entry), $"entry-{i:D4}");
            Assert.Equal(FileKind.File, entry.Kind);
            byte[] content = new byte[64];
            int read = image.Read(entry.InodeRef, 0, content);
            Assert.Equal($"entry {i}\n", Encoding.UTF8.GetString(content, 0, read));
        }

        foreach (string missing in (string[])["a", "entry-", "entry-0000a", "entry-1500x", "entry-9999", "zzz", "ENTRY-0001"])
        {
            Assert.False(image.TryLookup(many, Encoding.UTF8.GetBytes(missing), out _), missing);
        }

        Assert.True(image.TryLookupPath("names/" + EdgeCaseTree.Utf8Name, out _));
        Assert.True(image.TryLookupPath("names/" + EdgeCaseTree.LongName, out _));
        Assert.True(image.TryLookupPath("names/Zebra", out ulong upper));
        Assert.True(image.TryLookupPath("names/zebra", out ulong lower));
        Assert.NotEqual(upper, lower);
        Assert.True(image.TryLookupPath(string.Join('/', Enumerable.Range(1, EdgeCaseTree.NestingDepth).Select(l => $"d{l:D2}")) + "/leaf.txt", out _));
        Assert.Equal(SquashFsError.NotFound, Assert.Throws<SquashFsException>(() => image.Lookup("many/nope")).Error);
        Assert.Equal(SquashFsError.WrongType, Assert.Throws<SquashFsException>(() => image.TryLookup(image.Lookup("sizes/size-1"), "x"u8, out _)).Error);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(256)]
    public void ReadDirectory_resumes_at_the_cookie_it_handed_out(int batch)
    {
        if (!ImageAssertions.Ready(images))
        {
            return;
        }

        using SquashFsImage image = SquashFsImage.Open(images.Image("zstd"));
        ulong many = image.Lookup("many");
        var all = image.ListDirectory(many).Select(e => e.Name).ToList();
        Assert.Equal(EdgeCaseTree.LargeDirectoryEntries, all.Count);
        Assert.Equal(all.Order(StringComparer.Ordinal), all);

        var resumed = new List<string>();
        long cookie = 0;
        int calls = 0;
        while (true)
        {
            var sink = new BatchSink(batch, resumed);
            int count = image.ReadDirectory(many, cookie, ref sink);
            calls++;
            if (count == 0)
            {
                break;
            }

            Assert.True(count <= batch);
            cookie = sink.LastNextCookie;
        }

        Assert.Equal(all, resumed);
        Assert.Equal((all.Count + batch - 1) / batch + 1, calls);
        var atEnd = new BatchSink(10, []);
        Assert.Equal(0, image.ReadDirectory(many, (long)image.GetInode(many).Size, ref atEnd));
    }

    [Fact]
    public void Symlinks_xattrs_devices_and_hard_links_read_back()
    {
        if (!ImageAssertions.Ready(images))
        {
            return;
        }

        using SquashFsImage image = SquashFsImage.Open(images.Image("xattrs"));
        Assert.Equal(EdgeCaseTree.LongSymlinkTarget, Encoding.UTF8.GetString(image.ReadLink(image.Lookup("links/long-target"))));
        Span<byte> small = stackalloc byte[10];
        Assert.Equal(EdgeCaseTree.LongSymlinkTarget.Length, image.ReadLink(image.Lookup("links/long-target"), small));

        InodeAttributes tagged = image.GetInode(image.Lookup("xattrs/tagged"));
        byte[] names = new byte[256];
        int length = image.ListXattrNames(tagged, names);
        Assert.Equal(
            ["trusted.origin", "user.empty", "user.mime"],
            Encoding.UTF8.GetString(names, 0, length).Split('\0', StringSplitOptions.RemoveEmptyEntries).Order(StringComparer.Ordinal));
        Assert.Equal(length, image.ListXattrNames(tagged, Span<byte>.Empty));
        byte[] value = new byte[64];
        Assert.Equal(10, image.GetXattr(tagged, "user.mime"u8, value));
        Assert.Equal("text/plain", Encoding.UTF8.GetString(value, 0, 10));
        Assert.Equal(0, image.GetXattr(tagged, "user.empty"u8, value));
        Assert.Equal(-1, image.GetXattr(tagged, "user.absent"u8, value));
        Assert.Equal(4000, image.GetXattr(image.Lookup("xattrs/big-value"), "user.big"u8, Span<byte>.Empty));
        Assert.Equal("yes", Encoding.UTF8.GetString(image.GetXattrs(image.Lookup("links/relative")).Single(x => x.Name == "trusted.on-symlink").Value));

        InodeAttributes device = image.GetInode(image.Lookup("special/char-300-70000"));
        Assert.Equal((300u, 70000u), (device.RdevMajor, device.RdevMinor));
        Assert.Equal(0x2000u | 0x180u, device.Mode);
        Assert.Equal(0x8000u | 0x9EDu, image.GetInode(image.Lookup("owners/setuid")).Mode);
        InodeAttributes owned = image.GetInode(image.Lookup("owners/private"));
        Assert.Equal((123456u, 654321u), (owned.Uid, owned.Gid));

        InodeAttributes a = image.GetInode(image.Lookup("hard/big"));
        InodeAttributes c = image.GetInode(image.Lookup("hard-other/big-3"));
        Assert.Equal(a.InodeNumber, c.InodeNumber);
        Assert.Equal(3u, a.LinkCount);
        Assert.Equal(FileKind.Socket, image.GetInode(image.Lookup("special/socket")).Kind);
    }

    [Fact]
    public void Statistics_and_export_table_describe_the_image()
    {
        if (!ImageAssertions.Ready(images))
        {
            return;
        }

        string path = images.Image("block-1m");
        using SquashFsImage image = SquashFsImage.Open(path);
        SquashFsStatistics stats = image.Statistics;
        Assert.Equal(1u << 20, stats.BlockSize);
        Assert.Equal(CompressionId.Zstd, stats.Compression);
        Assert.True(stats.BytesUsed <= (ulong)new FileInfo(path).Length);
        Assert.True(stats.HasExportTable);
        Assert.True(stats.InodeCount > EdgeCaseTree.LargeDirectoryEntries);

        ulong leaf = image.Lookup("many/entry-0042");
        Assert.True(image.TryGetInodeRef(image.GetInode(leaf).InodeNumber, out ulong viaExport));
        Assert.Equal(leaf, viaExport);
        Assert.True(image.TryGetInodeRef(stats.InodeCount, out ulong root));
        Assert.Equal(image.RootInodeRef, root);
        Assert.False(image.TryGetInodeRef(stats.InodeCount + 1, out _));

        using SquashFsImage plain = SquashFsImage.Open(images.Image("no-xattrs-no-exports"));
        Assert.False(plain.Statistics.HasExportTable);
        Assert.False(plain.Statistics.HasXattrs);
        Assert.False(plain.TryGetInodeRef(1, out _));
    }

    [Fact]
    public void An_lzo_image_names_its_unsupported_compressor()
    {
        if (!ImageAssertions.Ready(images))
        {
            return;
        }

        var error = Assert.Throws<SquashFsException>(() => SquashFsImage.Open(images.Image("lzo")));
        Assert.Equal(SquashFsError.UnsupportedCompressor, error.Error);
        Assert.Contains("Lzo", error.Message, StringComparison.OrdinalIgnoreCase);
    }

    private struct BatchSink(int batch, List<string> names) : IDirectoryVisitor
    {
        private int _taken;

        public long LastNextCookie { get; private set; }

        public bool Visit(in DirectoryEntry entry, scoped ReadOnlySpan<byte> name)
        {
            if (_taken == batch)
            {
                return false;
            }

            _taken++;
            names.Add(Encoding.UTF8.GetString(name));
            LastNextCookie = entry.NextCookie;
            return true;
        }
    }
}
