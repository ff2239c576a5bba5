using Distri.Core.FileTree;
using Distri.Core.Packages;
using Distri.Core.SquashFs.Format;
using Distri.Core.SquashFs.Writing;

namespace Distrid.Tests.Systemd;

/// <summary>Packages for the restart tests: one large file that takes a while to stream through /ro.</summary>
public static class TestPackages
{
    /// <summary>
    /// Writes <paramref name="bytes"/> of pseudo-random text (compressible, so every READ costs the daemon a zstd
    /// decompression) to <c>TREE/share/big/data</c> and packs TREE as <paramref name="fullName"/>. Returns the
    /// source file, kept for comparison.
    /// </summary>
    public static string PackLargeFile(string store, string workDirectory, string fullName, int bytes)
    {
        string tree = Path.Combine(workDirectory, "tree-" + fullName);
        string source = Path.Combine(tree, "share", "big", "data");
        Directory.CreateDirectory(Path.GetDirectoryName(source)!);
        var random = new Random(1234);
        var chunk = new byte[1 << 20];
        const string alphabet = "abcdefghijklmnopqrstuvwxyz0123456789 \n";
        using (var stream = File.Create(source))
        {
            for (int written = 0; written < bytes; written += chunk.Length)
            {
                random.NextBytes(chunk);
                for (int i = 0; i < chunk.Length; i++)
                {
                    chunk[i] = (byte)alphabet[chunk[i] % alphabet.Length];
                }

                stream.Write(chunk, 0, Math.Min(chunk.Length, bytes - written));
            }
        }

        PackageBuilder.Build(DirectoryScanner.Scan(tree), PackageName.Parse(fullName), new PackageBuildOptions
        {
            Image = new SquashFsWriterOptions { Compression = CompressionId.Zstd, CompressionLevel = 1 },
        }, store);
        return source;
    }
}
