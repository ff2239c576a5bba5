using System.Security.Cryptography;
using System.Text.Json;
using Distri.Core.Packages;
using Distri.Core.Repository;
using Distrid.Repository;

namespace Distrid.Tests.Repository;

/// <summary>
/// A signed repository of small generated images in a temp directory (served from <see cref="WebRoot"/> at path
/// <c>/repo</c>), with a trusted-keys directory, a cache directory and an empty download target.
/// The repository layer does not parse SquashFS, so random bytes are fine as images.
/// </summary>
internal sealed class TestRepository : IDisposable
{
    private TestRepository(string workDir)
    {
        WorkDir = workDir;
        Directory.CreateDirectory(RepoDir);
        Directory.CreateDirectory(TrustedDir);
        Directory.CreateDirectory(CacheDir);
        Directory.CreateDirectory(TargetDir);
    }

    public string WorkDir { get; }

    public string WebRoot => Path.Combine(WorkDir, "www");

    public string RepoDir => Path.Combine(WebRoot, "repo");

    public string KeyPrefix => Path.Combine(WorkDir, "repo-key");

    public string TrustedDir => Path.Combine(WorkDir, "trusted.d");

    public string CacheDir => Path.Combine(WorkDir, "cache");

    public string TargetDir => Path.Combine(WorkDir, "target");

    public RepositoryIndex Index { get; private set; } = null!;

    /// <summary>Whether <see cref="AddPackage"/> zero-fills the last quarter of each image.</summary>
    public bool Compressible { get; init; } = true;

    public IReadOnlyList<PackageMetadata> Packages => [.. Index.Packages.Select(e => e.Metadata)];

    /// <summary>
    /// A repository of <paramref name="packages"/> images. Images are random bytes with a zero-filled last quarter, so
    /// that their .zst copies save about a quarter and the client prefers them; <paramref name="compressible"/> false
    /// makes them wholly random (a .zst copy then saves nothing, like an image of already compressed blocks).
    /// </summary>
    public static TestRepository Create(int packages = 6, int size = 192 * 1024, bool zst = true, bool compressible = true)
    {
        var repo = new TestRepository(Directory.CreateTempSubdirectory("distrid-repo-test-").FullName) { Compressible = compressible };
        Directory.CreateDirectory(Path.Combine(repo.RepoDir, RepositoryLayout.PackageDirectory));
        using (var key = RepositoryKey.Generate())
        {
            key.Save(repo.KeyPrefix);
        }

        File.Copy(repo.KeyPrefix + ".pub", Path.Combine(repo.TrustedDir, "repo.pub"));
        for (int i = 0; i < packages; i++)
        {
            // Sizes differ per package (and are not multiples of any buffer size) to exercise partial reads.
            repo.AddPackage($"pkg{i}-amd64-1.{i}-1", size + (i * 7919), i == 0 ? [] : [$"pkg{i - 1}-amd64-1.{i - 1}-1"]);
        }

        repo.Rebuild();
        if (!zst)
        {
            repo.DeleteZstFiles();
        }

        return repo;
    }

    public void AddPackage(string fullName, int size, IReadOnlyList<string> dependencies)
    {
        byte[] image = new byte[size];
        new Random(fullName.GetHashCode(StringComparison.Ordinal) ^ size).NextBytes(image);
        if (Compressible)
        {
            image.AsSpan(size - (size / 4)).Clear();
        }

        File.WriteAllBytes(PkgFile(fullName, PackageMetadata.ImageExtension), image);
        var meta = new PackageMetadata { FullName = fullName, Summary = $"test package {fullName}", Dependencies = dependencies };
        File.WriteAllBytes(PkgFile(fullName, PackageMetadata.MetadataExtension), JsonSerializer.SerializeToUtf8Bytes(meta, PackageMetadataJsonContext.Default.PackageMetadata));
    }

    /// <summary>Re-runs the builder (fast zstd level) and signs with the repository key.</summary>
    public void Rebuild() => Index = new RepositoryBuilder { ZstdLevel = 3 }.Run(RepoDir, KeyPrefix).Index;

    public void DeleteZstFiles()
    {
        foreach (string zst in Directory.GetFiles(Path.Combine(RepoDir, RepositoryLayout.PackageDirectory), "*.zst"))
        {
            File.Delete(zst);
        }
    }

    public string PkgFile(string fullName, string extension) =>
        Path.Combine(RepoDir, RepositoryLayout.PackageDirectory, fullName + extension);

    public RepositoryClientOptions Options(params Uri[] mirrors) => new()
    {
        Mirrors = mirrors,
        TrustedKeysDirectory = TrustedDir,
        CacheDirectory = CacheDir,
        DownloadParallelism = 4,
        StallTimeout = TimeSpan.FromSeconds(5),
        Retries = 2,
        RetryBaseDelay = TimeSpan.FromMilliseconds(10),
    };

    /// <summary>Every file below the target and cache directories with its sha256, to show that a failure changed nothing.</summary>
    public IReadOnlyDictionary<string, string> Snapshot()
    {
        var files = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (string dir in new[] { TargetDir, CacheDir })
        {
            foreach (string file in Directory.EnumerateFiles(dir, "*", SearchOption.AllDirectories))
            {
                files[Path.GetRelativePath(WorkDir, file)] = Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(file)));
            }
        }

        return files;
    }

    public static string Sha256Of(string path) => Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(path)));

    public void Dispose() => Directory.Delete(WorkDir, recursive: true);
}
