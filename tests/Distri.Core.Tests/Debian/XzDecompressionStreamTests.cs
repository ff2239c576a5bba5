using Distri.Core.Debian;
using Distri.Core.Tests.Support;

namespace Distri.Core.Tests.Debian;

/// <summary>Our liblzma stream against xz(1) as the oracle.</summary>
public sealed class XzDecompressionStreamTests : IDisposable
{
    private readonly string _work = Directory.CreateTempSubdirectory("distri-xztest-").FullName;

    public void Dispose() => Directory.Delete(_work, recursive: true);

    [Fact]
    public void DecodesConcatenatedStreamsInSmallReads()
    {
        if (!Requirements.Tools("xz"))
        {
            return;
        }

        byte[] first = new byte[3 << 20];
        new Random(1).NextBytes(first.AsSpan(0, first.Length / 2)); // half random, half zeros
        byte[] second = "second stream\n"u8.ToArray();
        string path = Path.Combine(_work, "data.xz");
        File.WriteAllBytes(Path.Combine(_work, "a"), first);
        File.WriteAllBytes(Path.Combine(_work, "b"), second);
        ProcessRunner.Run("xz", "-k", "-T1", Path.Combine(_work, "a"), Path.Combine(_work, "b"));
        File.WriteAllBytes(path, [.. File.ReadAllBytes(Path.Combine(_work, "a.xz")), .. File.ReadAllBytes(Path.Combine(_work, "b.xz"))]);

        using var stream = new XzDecompressionStream(File.OpenRead(path));
        var decoded = new MemoryStream();
        byte[] buffer = new byte[4093];
        int read;
        while ((read = stream.Read(buffer)) > 0)
        {
            decoded.Write(buffer, 0, read);
        }

        Assert.Equal([.. first, .. second], decoded.ToArray());
    }

    [Fact]
    public void GarbageAndTruncationFailCleanly()
    {
        using (var garbage = new XzDecompressionStream(new MemoryStream("this is not xz at all"u8.ToArray())))
        {
            Assert.Throws<InvalidDataException>(() => garbage.ReadExactly(new byte[16]));
        }

        if (!Requirements.Tools("xz"))
        {
            return;
        }

        string path = Path.Combine(_work, "t");
        File.WriteAllBytes(path, new byte[100_000]);
        ProcessRunner.Run("xz", "-T1", path);
        byte[] xz = File.ReadAllBytes(path + ".xz");
        using var truncated = new XzDecompressionStream(new MemoryStream(xz[..(xz.Length - 20)]));
        Assert.Throws<InvalidDataException>(() => truncated.CopyTo(Stream.Null));
    }
}
