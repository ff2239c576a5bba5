using System.Security.Cryptography;
using System.Text.Json;
using Distri.Core.Packages;
using Distrid.Tests.Support;

namespace Distrid.Tests.Import;

/// <summary>
/// <c>districtl repo import-apt</c> against a real Debian-format archive (real .debs of curl's closure, apt-ftparchive
/// indexes, a throwaway signing key) served by nginx on 127.0.0.1.
/// </summary>
public sealed class AptImportTests : IDisposable, IClassFixture<AptArchiveFixture>
{
    private static readonly string[] CurlChain = ["curl", "libcurl4", "libnghttp2-14"];

    private readonly TempDirectory _temp = new("distrid-import-apt");
    private readonly AptArchiveFixture _fixture;
    private readonly NginxFixture? _nginx;

    public AptImportTests(AptArchiveFixture fixture)
    {
        _fixture = fixture;
        if (fixture.Archive is null)
        {
            return;
        }

        fixture.CopyTo(ArchiveRoot);
        _nginx = NginxFixture.TryStart(ArchiveRoot);
    }

    private string ArchiveRoot => Path.Combine(_temp.Path, "archive");

    private string Repo => Path.Combine(_temp.Path, "repo");

    private string Cache => Path.Combine(_temp.Path, "cache");

    private string KeyPrefix => Path.Combine(_temp.Path, "repokey");

    [Fact]
    public async Task Imports_a_verified_closure_and_a_rerun_with_nothing_changed_rewrites_nothing()
    {
        if (_nginx is null)
        {
            return;
        }

        await Keygen();
        var first = await Import("--key", KeyPrefix);
        Assert.True(first.ExitCode == 0, first.Stderr);
        Assert.Equal("", first.Stderr);

        var index = JsonSerializer.Deserialize<JsonElement>(File.ReadAllBytes(Path.Combine(Repo, "index.json")));
        var packages = index.GetProperty("packages").EnumerateArray().ToDictionary(p => p.GetProperty("fullName").GetString()!, p => p);
        Assert.True(File.Exists(Path.Combine(Repo, "index.json.sig")));
        var curl = Assert.Single(packages.Keys, name => name.StartsWith("curl-amd64-7.88.1-", StringComparison.Ordinal));
        Assert.Equal("curl-amd64-7.88.1-1", curl);
        Assert.Contains(packages[curl].GetProperty("dependencies").EnumerateArray(), d => d.GetString()!.StartsWith("libcurl4-amd64-7.88.1-", StringComparison.Ordinal));
        // Declared closure: every dependency is itself published, and the closure is curl's (32 packages in bookworm).
        foreach (var package in packages.Values)
        {
            foreach (var dependency in package.GetProperty("dependencies").EnumerateArray())
            {
                Assert.Contains(dependency.GetString()!, packages.Keys);
            }
        }

        Assert.True(packages.Count >= 32, $"{packages.Count} packages");
        foreach (string name in packages.Keys)
        {
            Assert.Contains($"{name}: new", first.Stdout, StringComparison.Ordinal);
            Assert.True(File.Exists(Path.Combine(Repo, "pkg", name + PackageMetadata.ImageExtension)));
        }

        var before = Snapshot(Repo);
        var again = await Import("--key", KeyPrefix);
        Assert.True(again.ExitCode == 0, again.Stderr);
        Assert.Contains("all up to date", again.Stdout, StringComparison.Ordinal);
        Assert.Equal(before, Snapshot(Repo));
    }

    [Fact]
    public async Task A_changed_deb_raises_the_revision_of_it_and_of_its_reverse_dependencies_only()
    {
        if (_nginx is null)
        {
            return;
        }

        await Keygen();
        var first = await Import("--key", KeyPrefix);
        Assert.True(first.ExitCode == 0, first.Stderr);
        var before = Snapshot(Repo);
        string signatureBefore = File.ReadAllText(Path.Combine(Repo, "index.json.sig"));

        // A point release of libnghttp2-14: same files, new version, new bytes.
        string nghttp2 = _fixture.Debs.Single(d => Path.GetFileName(d).StartsWith("libnghttp2-14_", StringComparison.Ordinal));
        string updated = DebCache.Rebuild(nghttp2, "test1", _temp.Path);
        _fixture.Archive!.Publish(ArchiveRoot, _fixture.Debs.Where(d => d != nghttp2).Append(updated));

        var second = await Import("--key", KeyPrefix);
        Assert.True(second.ExitCode == 0, second.Stderr);
        var state = JsonSerializer.Deserialize<JsonElement>(File.ReadAllBytes(Path.Combine(Repo, "import-state.json"))).GetProperty("packages");
        var after = Snapshot(Repo);
        foreach (var package in state.EnumerateObject())
        {
            var name = PackageName.Parse(package.Value.GetProperty("fullName").GetString()!);
            string image = $"pkg/{name.FullName}{PackageMetadata.ImageExtension}";
            if (CurlChain.Contains(package.Name))
            {
                Assert.Equal(2, name.Revision);
                Assert.Contains($"{name.FullName}: rebuilt", second.Stdout, StringComparison.Ordinal);
                Assert.True(after.ContainsKey(image));
                // The old revision stays published for rollback.
                Assert.Equal(before[$"pkg/{name with { Revision = 1 }}{PackageMetadata.ImageExtension}"], after[$"pkg/{name with { Revision = 1 }}{PackageMetadata.ImageExtension}"]);
            }
            else
            {
                Assert.Equal(1, name.Revision);
                Assert.Equal(before[image], after[image]);
                Assert.Equal(before[$"pkg/{name.FullName}{PackageMetadata.MetadataExtension}"], after[$"pkg/{name.FullName}{PackageMetadata.MetadataExtension}"]);
            }
        }

        // Only the Debian revision changed (1.52.0-1 -> 1.52.0-1+test1): same upstream version, next revision.
        Assert.Equal("libnghttp2-14-amd64-1.52.0-2", state.GetProperty("libnghttp2-14").GetProperty("fullName").GetString());
        Assert.NotEqual(signatureBefore, File.ReadAllText(Path.Combine(Repo, "index.json.sig")));
        Assert.Contains("curl-amd64-7.88.1-2", File.ReadAllText(Path.Combine(Repo, "index.json")), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("release")]
    [InlineData("packages")]
    [InlineData("deb")]
    [InlineData("unknown-key")]
    public async Task A_tampered_archive_fails_with_one_line_and_writes_nothing(string tampering)
    {
        if (_nginx is null)
        {
            return;
        }

        string keyring = _fixture.Archive!.Keyring;
        string? tamperedDeb = null;
        switch (tampering)
        {
            case "release":
                // Change the signed text after signing: a mirror that edits Release cannot keep the signature.
                string inRelease = Path.Combine(TestAptArchive.Dists(ArchiveRoot), "InRelease");
                File.WriteAllText(inRelease, File.ReadAllText(inRelease).Replace("Suite: test", "Suite: tset", StringComparison.Ordinal));
                break;
            case "packages":
                File.WriteAllBytes(TestAptArchive.PackagesXz(ArchiveRoot), [.. File.ReadAllBytes(TestAptArchive.PackagesXz(ArchiveRoot)).Select((b, i) => i == 200 ? (byte)(b ^ 1) : b)]);
                break;
            case "deb":
                tamperedDeb = Directory.EnumerateFiles(TestAptArchive.Pool(ArchiveRoot), "libssl3_*.deb").Single();
                using (var file = new FileStream(tamperedDeb, FileMode.Open, FileAccess.ReadWrite))
                {
                    file.Position = file.Length / 2;
                    int b = file.ReadByte();
                    file.Position--;
                    file.WriteByte((byte)(b ^ 0x40));
                }

                break;
            case "unknown-key":
                using (var other = new TestAptArchive())
                {
                    keyring = Path.Combine(_temp.Path, "other-keyring.gpg");
                    File.Copy(other.Keyring, keyring);
                }

                break;
        }

        var result = await Import("--keyring", keyring);
        Assert.Equal(1, result.ExitCode);
        string line = Assert.Single(result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("districtl repo import-apt: ", line, StringComparison.Ordinal);
        Assert.Contains(tampering switch
        {
            "release" => "signature not valid",
            "unknown-key" => "signature not valid",
            "packages" => "does not match its signed Release",
            _ => "does not match its Packages index",
        }, line, StringComparison.Ordinal);
        Assert.Equal("", result.Stdout);
        Assert.False(Directory.Exists(Repo), "REPO was created");
        if (tamperedDeb is not null)
        {
            // The cache is named by the sha256 the Packages index lists; the tampered bytes never enter it, not even as
            // a resumable .part (the others' .part files are legitimate partial downloads, cut short by the failure).
            string listed = Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(_fixture.Debs.Single(d => Path.GetFileName(d) == Path.GetFileName(tamperedDeb)))));
            Assert.DoesNotContain(Directory.EnumerateFiles(Cache), f => Path.GetFileName(f).StartsWith(listed, StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task A_package_the_archive_lacks_is_one_line_naming_it()
    {
        if (_nginx is null)
        {
            return;
        }

        var result = await ImportPackage("no-such-package");
        Assert.Equal(1, result.ExitCode);
        Assert.Equal("districtl repo import-apt: no-such-package: not in the archive", result.Stderr.Trim());
        Assert.False(Directory.Exists(Repo));
    }

    [Fact]
    public async Task An_unsigned_archive_is_refused_unless_allowed()
    {
        if (_nginx is null)
        {
            return;
        }

        File.Delete(Path.Combine(TestAptArchive.Dists(ArchiveRoot), "InRelease"));
        File.Delete(Path.Combine(TestAptArchive.Dists(ArchiveRoot), "Release.gpg"));
        var refused = await ImportPackage("gcc-12-base");
        Assert.Equal(1, refused.ExitCode);
        Assert.Contains("not signed", Assert.Single(refused.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries)), StringComparison.Ordinal);
        Assert.False(Directory.Exists(Repo));

        // Allowed: said plainly, and the Packages index and .debs are still checked against the (unsigned) Release.
        var allowed = await ImportPackage("gcc-12-base", "--allow-unsigned");
        Assert.True(allowed.ExitCode == 0, allowed.Stderr);
        Assert.Contains("--allow-unsigned", allowed.Stderr, StringComparison.Ordinal);
        Assert.Single(Directory.EnumerateFiles(Path.Combine(Repo, "pkg"), "gcc-12-base-amd64-12.2.0-1" + PackageMetadata.ImageExtension));
    }

    private Task<Cli.Result> ImportPackage(string package, params string[] extra) => Cli.RunAsync(
    [
        "repo", "import-apt", "--source", _nginx!.BaseUri.AbsoluteUri, "--suite", TestAptArchive.Suite, package, "-o", Repo,
        "--cache", Cache, "--keyring", _fixture.Archive!.Keyring, .. extra,
    ]);

    private Task<Cli.Result> Import(params string[] extra)
    {
        var args = new List<string>
        {
            "repo", "import-apt", "--source", _nginx!.BaseUri.AbsoluteUri, "--suite", TestAptArchive.Suite,
            "curl", "-o", Repo, "--cache", Cache, "--zstd-level", "3",
        };
        if (!extra.Contains("--keyring"))
        {
            args.AddRange(["--keyring", _fixture.Archive!.Keyring]);
        }

        args.AddRange(extra);
        return Cli.RunAsync([.. args]);
    }

    private async Task Keygen()
    {
        var result = await Cli.RunAsync("keygen", KeyPrefix);
        Assert.True(result.ExitCode == 0, result.Stderr);
    }

    /// <summary>Every file under <paramref name="root"/> (but the download cache) with its modification time and SHA256.</summary>
    private static Dictionary<string, (DateTime Modified, string Sha256)> Snapshot(string root) =>
        Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories)
            .Where(f => !f.Contains("/.cache/", StringComparison.Ordinal))
            .ToDictionary(
                f => Path.GetRelativePath(root, f),
                f => (File.GetLastWriteTimeUtc(f), Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(f)))));

    public void Dispose()
    {
        _nginx?.Dispose();
        _temp.Dispose();
    }
}
