using System.Security.Cryptography;
using Distri.Core.Apt;
using Distrid.Tests.Support;

namespace Distrid.Tests.Import;

/// <summary>The .deb downloader against a server that cuts, stalls and fails on purpose (real sockets on 127.0.0.1).</summary>
public sealed class DebDownloaderFaultTests : IDisposable
{
    private const string PoolPath = "pool/main/h/hello/hello_2.10-3_amd64.deb";

    private readonly TempDirectory _temp = new("distrid-deb-download");
    private readonly FaultyHttpServer _server;
    private readonly AptPackage _package;
    private readonly byte[] _bytes = RandomNumberGenerator.GetBytes(300_000);

    public DebDownloaderFaultTests()
    {
        string file = Path.Combine(_temp.Path, "www", PoolPath);
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        File.WriteAllBytes(file, _bytes);
        _server = new FaultyHttpServer(Path.Combine(_temp.Path, "www"));
        _package = new AptPackage
        {
            Package = "hello",
            Version = "2.10-3",
            Architecture = "amd64",
            Filename = PoolPath,
            Size = _bytes.Length,
            Sha256 = Convert.ToHexStringLower(SHA256.HashData(_bytes)),
        };
    }

    private string Cache => Path.Combine(_temp.Path, "cache");

    [Fact]
    public async Task A_cut_transfer_resumes_where_it_stopped()
    {
        _server.AddFault("/" + PoolPath, new CutFault(120_000));
        await Download(new AptHttpOptions());
        Assert.Equal(_bytes, File.ReadAllBytes(Path.Combine(Cache, _package.Sha256 + ".deb")));
        Assert.Equal([null, 120_000L], _server.Requests.Select(r => r.RangeStart));
    }

    [Fact]
    public async Task Server_errors_and_a_stall_are_retried()
    {
        _server.AddFault("/" + PoolPath, new StatusFault(503, "Service Unavailable"));
        _server.AddFault("/" + PoolPath, new StallFault());
        await Download(new AptHttpOptions { StallTimeout = TimeSpan.FromSeconds(1) });
        Assert.Equal(_bytes, File.ReadAllBytes(Path.Combine(Cache, _package.Sha256 + ".deb")));
        Assert.Equal(3, _server.Requests.Count);
    }

    [Fact]
    public async Task Exhausted_retries_are_one_line_and_cache_nothing()
    {
        _server.AddFault("/" + PoolPath, new StatusFault(503, "Service Unavailable"), times: 2);
        var error = await Assert.ThrowsAsync<AptArchiveException>(() => Download(new AptHttpOptions { Attempts = 2 }));
        Assert.Equal($"{PoolPath}: HTTP 503 (after 2 attempts)", error.Message);
        Assert.False(File.Exists(Path.Combine(Cache, _package.Sha256 + ".deb")));
    }

    [Fact]
    public async Task A_file_that_does_not_match_the_index_never_enters_the_cache()
    {
        var wrong = _package with { Sha256 = new string('0', 64) };
        using var http = new AptHttp(_server.BaseUri, new AptHttpOptions());
        var downloader = new DebDownloader(http, Cache);
        var error = await Assert.ThrowsAsync<AptArchiveException>(() => downloader.DownloadAsync([wrong], CancellationToken.None));
        Assert.Contains("does not match its Packages index", error.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFiles(Cache));
    }

    [Fact]
    public async Task A_cached_file_is_not_fetched_again()
    {
        await Download(new AptHttpOptions());
        await Download(new AptHttpOptions());
        Assert.Single(_server.Requests);
    }

    private async Task Download(AptHttpOptions options)
    {
        using var http = new AptHttp(_server.BaseUri, options);
        await new DebDownloader(http, Cache).DownloadAsync([_package], CancellationToken.None);
    }

    public void Dispose()
    {
        _server.Dispose();
        _temp.Dispose();
    }
}
