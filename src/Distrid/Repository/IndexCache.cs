using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using Distri.Core.Repository;

namespace Distrid.Repository;

/// <summary>
/// The last verified index of one mirror, its signature and the HTTP validators (ETag, Last-Modified) that make the
/// next fetch a conditional GET. Layout: <c>CACHE/mirrors/&lt;sha256(url)[..16]&gt;/{index.json,index.json.sig,validators}</c>.
/// Files are replaced atomically, validators last, so a crash leaves at worst validators older than the index (the
/// server then answers 200 and the cache is rewritten) and a cache that fails verification is simply discarded.
/// </summary>
internal sealed class IndexCache
{
    private const string ValidatorsFile = "validators";
    private readonly string _directory;

    public IndexCache(string cacheDirectory, Uri mirror)
    {
        string key = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(mirror.AbsoluteUri.TrimEnd('/'))))[..16];
        _directory = Path.Combine(cacheDirectory, "mirrors", key);
    }

    public string IndexPath => Path.Combine(_directory, RepositoryLayout.IndexFile);

    public string SignaturePath => Path.Combine(_directory, RepositoryLayout.SignatureFile);

    private string ValidatorsPath => Path.Combine(_directory, ValidatorsFile);

    /// <summary>The cached index, signature and validators, or null when incomplete or over the limits.</summary>
    public CachedIndex? TryLoad(long maxIndexSize)
    {
        try
        {
            var index = new FileInfo(IndexPath);
            var signature = new FileInfo(SignaturePath);
            var validators = new FileInfo(ValidatorsPath);
            if (!index.Exists || !signature.Exists || !validators.Exists || index.Length > maxIndexSize
                || signature.Length > IndexSignature.MaxFileSize || validators.Length > 4096)
            {
                return null;
            }

            string[] lines = File.ReadAllLines(ValidatorsPath);
            string? etag = lines.Length > 0 && lines[0].Length > 0 ? lines[0] : null;
            DateTimeOffset? lastModified = lines.Length > 1 && DateTimeOffset.TryParse(lines[1], out var lm) ? lm : null;
            return new CachedIndex(File.ReadAllBytes(IndexPath), File.ReadAllBytes(SignaturePath), etag, lastModified);
        }
        catch (IOException)
        {
            return null;
        }
    }

    public void Save(byte[] index, byte[] signature, EntityTagHeaderValue? etag, DateTimeOffset? lastModified)
    {
        Directory.CreateDirectory(_directory);
        AtomicFile.Write(SignaturePath, signature);
        AtomicFile.Write(IndexPath, index);
        string validators = $"{etag?.ToString() ?? ""}\n{lastModified?.ToString("R") ?? ""}\n";
        AtomicFile.Write(ValidatorsPath, Encoding.UTF8.GetBytes(validators));
    }

    public void Discard()
    {
        File.Delete(ValidatorsPath);
        File.Delete(IndexPath);
        File.Delete(SignaturePath);
    }
}

/// <summary>A cached index as stored: unverified bytes (verified again before use) and validators for the next GET.</summary>
internal sealed record CachedIndex(byte[] Index, byte[] Signature, string? ETag, DateTimeOffset? LastModified);
