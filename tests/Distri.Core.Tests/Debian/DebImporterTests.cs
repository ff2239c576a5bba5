using System.Text;
using Distri.Core.Debian;
using Distri.Core.Packages;
using Distri.Core.SquashFs.Format;
using Distri.Core.SquashFs.Reading;
using Distri.Core.SquashFs.Reading.Inodes;
using Distri.Core.SquashFs.Writing;

namespace Distri.Core.Tests.Debian;

/// <summary>Real .debs made by dpkg-deb, imported, and read back with our SquashFS reader.</summary>
public sealed class DebImporterTests : IDisposable
{
    private readonly string _work = Directory.CreateTempSubdirectory("distri-debtest-").FullName;

    public void Dispose() => Directory.Delete(_work, recursive: true);

    [Theory]
    [InlineData("xz")]
    [InlineData("gzip")]
    [InlineData("zstd")]
    [InlineData("none")]
    public void ImportMapsPathsContentModesLinksAndDependencies(string compression)
    {
        if (!Requirements.Tools("dpkg-deb"))
        {
            return;
        }

        byte[] large = new byte[3 * DebTreeBuilderLimit / 2];
        new Random(7).NextBytes(large);
        string x = new DebBuilder(_work, "x")
            .Control("Package: x\nVersion: 1:2.3-4+deb12u1\nArchitecture: amd64\nMaintainer: t <t@example.org>\n"
                + "Pre-Depends: libc6 (>= 2.34)\nDepends: y (>= 1) | z, zz:any\nDescription: the x tool\n longer text\n")
            .File("usr/bin/x", "#!/bin/sh\necho x\n", 0x1ED)
            .HardLink("usr/bin/x-hard", "usr/bin/x")
            .Symlink("usr/bin/x-abs", "/usr/bin/x")
            .Symlink("usr/share/x/to-bin", "/usr/bin/x")
            .Symlink("usr/share/x/outside", "/etc/passwd")
            .Symlink("usr/lib/x86_64-linux-gnu/libx.so", "libx.so.1")
            .File("usr/lib/x86_64-linux-gnu/libx.so.1", large)
            .Symlink("lib/x-cross", "../usr/lib/x86_64-linux-gnu/libx.so.1")
            .File("usr/sbin/x-suid", "suid", 0x9ED) // 04755
            .File("usr/share/doc/x/copyright", "public domain\n")
            .File("etc/x.conf", "conf\n")
            .Build(Path.Combine(_work, "x.deb"), compression);
        string y = new DebBuilder(_work, "y")
            .Control("Package: y\nVersion: 1.0~rc1-2\nArchitecture: all\nMaintainer: t <t@example.org>\nProvides: zz\nDescription: the y library\n")
            .File("usr/share/perl5/Y.pm", "1;\n")
            .Build(Path.Combine(_work, "y.deb"), compression);

        var warnings = new List<string>();
        string outDir = Path.Combine(_work, "out");
        var results = DebImporter.Import([x, y], outDir, new SquashFsWriterOptions { Compression = CompressionId.Zstd }, 3, warnings.Add);

        Assert.All(results, r => Assert.Null(r.Error));
        var xMeta = results[0].Package!;
        Assert.Equal("x-amd64-2.3-3", xMeta.FullName);
        Assert.Equal("y-amd64-1.0_rc1-3", results[1].Package!.FullName);
        Assert.Equal("the x tool", xMeta.Summary);
        Assert.Equal(["y-amd64-1.0_rc1-3"], xMeta.Dependencies); // "y | z" by name, "zz" by Provides: one dependency
        Assert.Contains(warnings, w => w.Contains("libc6", StringComparison.Ordinal));

        using var image = SquashFsImage.Open(Path.Combine(outDir, xMeta.FullName + PackageMetadata.ImageExtension));
        var bin = image.GetInode(image.Lookup("bin/x"));
        Assert.Equal("#!/bin/sh\necho x\n", ReadAll(image, bin));
        Assert.Equal(0x1EDu, bin.Mode & 0xFFF);
        Assert.Equal(0u, bin.Uid);
        Assert.Equal(bin.InodeNumber, image.GetInode(image.Lookup("bin/x-hard")).InodeNumber);
        Assert.Equal(0x9EDu, image.GetInode(image.Lookup("sbin/x-suid")).Mode & 0xFFF);
        Assert.Equal("x", Link(image, "bin/x-abs"));
        Assert.Equal("../../bin/x", Link(image, "share/x/to-bin"));
        Assert.Equal("/etc/passwd", Link(image, "share/x/outside"));
        Assert.Equal("libx.so.1", Link(image, "lib/x86_64-linux-gnu/libx.so"));
        Assert.Equal("x86_64-linux-gnu/libx.so.1", Link(image, "lib/x-cross"));
        Assert.Equal(large, Encoding.Latin1.GetBytes(ReadAll(image, image.GetInode(image.Lookup("lib/x86_64-linux-gnu/libx.so.1")))));
        Assert.Equal("public domain\n", ReadAll(image, image.GetInode(image.Lookup("share/doc/x/copyright"))));
        Assert.Equal("conf\n", ReadAll(image, image.GetInode(image.Lookup("etc/x.conf"))));
        Assert.False(image.TryLookupPath("usr", out _));
    }

    [Fact]
    public void CorruptDebsAreReportedAndWriteNothing()
    {
        if (!Requirements.Tools("dpkg-deb"))
        {
            return;
        }

        string good = new DebBuilder(_work, "g")
            .Control("Package: g\nVersion: 1\nArchitecture: amd64\nMaintainer: t <t@example.org>\nDescription: g\n")
            .File("usr/bin/g", new string('g', 100_000), 0x1ED)
            .Build(Path.Combine(_work, "g.deb"), "xz");
        byte[] bytes = File.ReadAllBytes(good);

        string notAr = Write("not-ar.deb", Encoding.ASCII.GetBytes("PK\x03\x04 definitely a zip"));
        string truncated = Write("truncated.deb", bytes[..(bytes.Length / 2)]);
        byte[] flipped = (byte[])bytes.Clone();
        byte[] controlMember;
        using (var stream = new MemoryStream(bytes))
        {
            var control = ArArchive.ReadMembers(stream).Single(m => m.Name.StartsWith("control.tar", StringComparison.Ordinal));
            controlMember = bytes[(int)control.Offset..(int)(control.Offset + control.Size)];
            var data = ArArchive.ReadMembers(stream).Single(m => m.Name.StartsWith("data.tar", StringComparison.Ordinal));
            Assert.Equal("data.tar.xz", data.Name);
            for (long i = data.Offset + 32; i < data.Offset + data.Size - 16; i++)
            {
                flipped[i] ^= 0x5A;
            }
        }

        string corruptData = Write("corrupt-data.deb", flipped);
        string noData = Write("no-data.deb", Ar(("debian-binary", "2.0\n"u8.ToArray()), ("control.tar.xz", controlMember)));
        string badCompression = Write("bad-compression.deb", Ar(("debian-binary", "2.0\n"u8.ToArray()), ("control.tar.lz4", [1, 2, 3]), ("data.tar.lz4", [1, 2, 3])));

        string outDir = Path.Combine(_work, "out");
        var results = DebImporter.Import([notAr, truncated, corruptData, noData, badCompression], outDir, new SquashFsWriterOptions(), 1, _ => { });

        Assert.All(results, r => Assert.Null(r.Package));
        Assert.Contains("not an ar archive", results[0].Error, StringComparison.Ordinal);
        Assert.Contains("runs past the end", results[1].Error, StringComparison.Ordinal);
        Assert.Contains("xz", results[2].Error, StringComparison.Ordinal);
        Assert.Contains("no data.tar", results[3].Error, StringComparison.Ordinal);
        Assert.Contains("unknown compression", results[4].Error, StringComparison.Ordinal);
        Assert.Empty(Directory.Exists(outDir) ? Directory.GetFiles(outDir) : []);
        Assert.Throws<InvalidDataException>(() => DebPackage.Open(notAr));
    }

    private const int DebTreeBuilderLimit = 1 << 20;

    private string Write(string name, byte[] content)
    {
        string path = Path.Combine(_work, name);
        File.WriteAllBytes(path, content);
        return path;
    }

    private static byte[] Ar(params (string Name, byte[] Data)[] members)
    {
        var stream = new MemoryStream();
        stream.Write("!<arch>\n"u8);
        foreach (var (name, data) in members)
        {
            string header = $"{name + "/",-16}{"0",-12}{"0",-6}{"0",-6}{"100644",-8}{data.Length,-10}`\n";
            stream.Write(Encoding.ASCII.GetBytes(header));
            stream.Write(data);
            if (data.Length % 2 == 1)
            {
                stream.WriteByte((byte)'\n');
            }
        }

        return stream.ToArray();
    }

    private static string Link(SquashFsImage image, string path) => Encoding.UTF8.GetString(image.ReadLink(image.Lookup(path)));

    private static string ReadAll(SquashFsImage image, InodeAttributes file)
    {
        byte[] buffer = new byte[file.Size];
        int total = 0;
        while (total < buffer.Length)
        {
            int read = image.Read(file, total, buffer.AsSpan(total));
            Assert.True(read > 0);
            total += read;
        }

        return Encoding.Latin1.GetString(buffer);
    }
}
