using System.Security.Cryptography;
using System.Text.Json;
using Distri.Core.Packages;
using Distri.Core.Repository;
using ZstdSharp;

namespace Distri.Core.Tests.Repository;

public sealed class RepositoryBuilderTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("distri-build-test-").FullName;

    private string PkgDir => Path.Combine(_dir, "repo", "pkg");

    private string RepoDir => Path.Combine(_dir, "repo");

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Builds_a_signed_index_with_sizes_digests_and_zst_copies()
    {
        AddImage("zsh-amd64-5.9-3", 70_000, ["libc-amd64-2.36-1"]);
        AddImage("libc-amd64-2.36-1", 120_000, []);
        string key = NewKey();

        var result = new RepositoryBuilder { ZstdLevel = 3 }.Run(RepoDir, key);

        Assert.Equal(["libc-amd64-2.36-1", "zsh-amd64-5.9-3"], result.Index.Packages.Select(p => p.FullName));
        foreach (var entry in result.Index.Packages)
        {
            string image = Path.Combine(PkgDir, entry.FullName + ".squashfs");
            byte[] bytes = File.ReadAllBytes(image);
            Assert.Equal(bytes.Length, entry.Size);
            Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(bytes)), entry.Sha256);

            // meta.json was rewritten with size and digest.
            var meta = JsonSerializer.Deserialize(File.ReadAllBytes(Path.Combine(PkgDir, entry.FullName + ".meta.json")), PackageMetadataJsonContext.Default.PackageMetadata)!;
            Assert.Equal(entry.Metadata with { Dependencies = meta.Dependencies }, meta);
            Assert.Equal(entry.Dependencies, meta.Dependencies);

            // The .zst is a zstd stream of exactly the image, and the index describes it.
            byte[] zst = File.ReadAllBytes(image + ".zst");
            Assert.Equal(zst.Length, entry.Zst!.Size);
            Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(zst)), entry.Zst.Sha256);
            using var decompressor = new Decompressor();
            Assert.Equal(bytes, decompressor.Unwrap(zst).ToArray());
        }

        using var trusted = TrustedKeys.LoadDirectory(_dir);
        var verified = trusted.VerifyAndParse(File.ReadAllBytes(result.IndexPath), File.ReadAllBytes(result.SignaturePath!));
        Assert.Equal(result.Index.ToUtf8Json(), verified.ToUtf8Json());
        Assert.Empty(Directory.GetFiles(RepoDir, ".*", SearchOption.AllDirectories)); // no temporary files left
    }

    [Fact]
    public void Output_is_reproducible()
    {
        AddImage("a-amd64-1-1", 50_000, []);
        AddImage("b-arm64-2.0-7", 60_000, ["a-amd64-1-1"]);
        var builder = new RepositoryBuilder { ZstdLevel = 5 };
        builder.Run(RepoDir, null);
        byte[] index = File.ReadAllBytes(Path.Combine(RepoDir, "index.json"));
        byte[] zst = File.ReadAllBytes(Path.Combine(PkgDir, "b-arm64-2.0-7.squashfs.zst"));

        File.Delete(Path.Combine(PkgDir, "b-arm64-2.0-7.squashfs.zst"));
        builder.Run(RepoDir, null);

        Assert.Equal(index, File.ReadAllBytes(Path.Combine(RepoDir, "index.json")));
        Assert.Equal(zst, File.ReadAllBytes(Path.Combine(PkgDir, "b-arm64-2.0-7.squashfs.zst")));
    }

    [Fact]
    public void Without_a_key_no_signature_is_written_and_a_stale_one_is_removed()
    {
        AddImage("a-amd64-1-1", 1000, []);
        new RepositoryBuilder { ZstdLevel = 1 }.Run(RepoDir, NewKey());
        Assert.True(File.Exists(Path.Combine(RepoDir, "index.json.sig")));

        var result = new RepositoryBuilder { ZstdLevel = 1 }.Run(RepoDir, null);
        Assert.Null(result.SignaturePath);
        Assert.False(File.Exists(Path.Combine(RepoDir, "index.json.sig")));
    }

    [Fact]
    public void A_stale_zst_is_recompressed()
    {
        AddImage("a-amd64-1-1", 10_000, []);
        File.WriteAllBytes(Path.Combine(PkgDir, "a-amd64-1-1.squashfs.zst"), [1, 2, 3]);
        var entry = new RepositoryBuilder { ZstdLevel = 1 }.Run(RepoDir, null).Index.Packages[0];
        using var decompressor = new Decompressor();
        Assert.Equal(File.ReadAllBytes(Path.Combine(PkgDir, "a-amd64-1-1.squashfs")),
            decompressor.Unwrap(File.ReadAllBytes(Path.Combine(PkgDir, "a-amd64-1-1.squashfs.zst"))).ToArray());
        Assert.NotEqual(3, entry.Zst!.Size);
    }

    [Fact]
    public void Missing_or_mismatched_metadata_is_a_clear_error()
    {
        AddImage("a-amd64-1-1", 1000, []);
        File.Delete(Path.Combine(PkgDir, "a-amd64-1-1.meta.json"));
        var missing = Assert.Throws<RepositoryException>(() => RepositoryBuilder.Build(RepoDir, null));
        Assert.StartsWith("pkg/a-amd64-1-1.meta.json: missing", missing.Message, StringComparison.Ordinal);

        File.WriteAllText(Path.Combine(PkgDir, "a-amd64-1-1.meta.json"), "{\"fullName\":\"b-amd64-1-1\"}");
        var mismatch = Assert.Throws<RepositoryException>(() => RepositoryBuilder.Build(RepoDir, null));
        Assert.Contains("does not match the file name", mismatch.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(RepoDir, "index.json")));
    }

    [Fact]
    public void A_wrong_key_path_fails_before_any_work()
    {
        AddImage("a-amd64-1-1", 1000, []);
        Assert.Throws<RepositoryException>(() => RepositoryBuilder.Build(RepoDir, Path.Combine(_dir, "nokey")));
        Assert.False(File.Exists(Path.Combine(PkgDir, "a-amd64-1-1.squashfs.zst")));
    }

    private void AddImage(string fullName, int size, IReadOnlyList<string> deps)
    {
        Directory.CreateDirectory(PkgDir);
        byte[] bytes = new byte[size];
        new Random(size).NextBytes(bytes.AsSpan(0, size / 2)); // half random, half zeros: compressible
        File.WriteAllBytes(Path.Combine(PkgDir, fullName + ".squashfs"), bytes);
        File.SetLastWriteTimeUtc(Path.Combine(PkgDir, fullName + ".squashfs"), new DateTime(2026, 1, 2, 3, 4, 5, DateTimeKind.Utc));
        var meta = new PackageMetadata { FullName = fullName, Summary = "test", Dependencies = deps };
        File.WriteAllBytes(Path.Combine(PkgDir, fullName + ".meta.json"), JsonSerializer.SerializeToUtf8Bytes(meta, PackageMetadataJsonContext.Default.PackageMetadata));
    }

    private string NewKey()
    {
        string prefix = Path.Combine(_dir, "key");
        using var key = RepositoryKey.Generate();
        key.Save(prefix);
        return prefix;
    }
}
