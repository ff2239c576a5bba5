using System.Security.Cryptography;

namespace Distri.Core.Repository;

/// <summary>
/// A repository signing key: ECDSA over NIST P-256 with SHA-256. The .NET base library has no Ed25519, and P-256 ECDSA
/// is built in (OpenSSL underneath), constant-time and small (64-byte signatures), so no extra dependency is needed.
/// Keys are PEM: <c>PREFIX.key</c> holds the PKCS#8 private key, <c>PREFIX.pub</c> the SubjectPublicKeyInfo.
/// </summary>
public sealed class RepositoryKey : IDisposable
{
    public const string PrivateKeyExtension = ".key";
    public const string PublicKeyExtension = ".pub";
    public const string Algorithm = "ecdsa-p256-sha256";

    /// <summary>Hex characters of the key id: the first 64 bits of sha256(SubjectPublicKeyInfo DER).</summary>
    public const int KeyIdLength = 16;

    private readonly ECDsa _key;

    private RepositoryKey(ECDsa key, bool hasPrivateKey)
    {
        _key = key;
        HasPrivateKey = hasPrivateKey;
        Fingerprint = Convert.ToHexStringLower(SHA256.HashData(key.ExportSubjectPublicKeyInfo()));
        KeyId = Fingerprint[..KeyIdLength];
    }

    public string KeyId { get; }

    /// <summary>sha256 of the SubjectPublicKeyInfo DER, 64 hex characters: what a person compares before trusting
    /// the key (<see cref="KeyId"/> is its first 16).</summary>
    public string Fingerprint { get; }

    public bool HasPrivateKey { get; }

    public static RepositoryKey Generate() => new(ECDsa.Create(ECCurve.NamedCurves.nistP256), hasPrivateKey: true);

    /// <summary>Loads a PEM private key (PKCS#8) from <paramref name="path"/>.</summary>
    public static RepositoryKey LoadPrivate(string path) => Load(path, isPrivate: true);

    /// <summary>Loads a PEM public key (SubjectPublicKeyInfo) from <paramref name="path"/>.</summary>
    public static RepositoryKey LoadPublic(string path) => Load(path, isPrivate: false);

    /// <summary>
    /// Writes <c>PREFIX.key</c> (mode 0600) and <c>PREFIX.pub</c>, refusing to overwrite either: losing a repository
    /// key by accident locks every client out.
    /// </summary>
    public void Save(string prefix)
    {
        string privatePath = prefix + PrivateKeyExtension;
        string publicPath = prefix + PublicKeyExtension;
        foreach (string path in new[] { privatePath, publicPath })
        {
            if (File.Exists(path))
            {
                throw new RepositoryException($"{path}: already exists, not overwriting a key");
            }
        }

        var secret = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            secret.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using (var writer = new StreamWriter(privatePath, secret))
        {
            writer.Write(_key.ExportPkcs8PrivateKeyPem());
            writer.Write('\n');
        }

        AtomicFile.Write(publicPath, System.Text.Encoding.ASCII.GetBytes(_key.ExportSubjectPublicKeyInfoPem() + "\n"));
    }

    /// <summary>Signs <paramref name="data"/>; the signature is IEEE P1363 (r || s, 64 bytes).</summary>
    public byte[] Sign(ReadOnlySpan<byte> data) => HasPrivateKey
        ? _key.SignData(data, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation)
        : throw new InvalidOperationException("a public key cannot sign");

    public bool Verify(ReadOnlySpan<byte> data, ReadOnlySpan<byte> signature) =>
        _key.VerifyData(data, signature, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);

    public string ExportPublicPem() => _key.ExportSubjectPublicKeyInfoPem();

    public void Dispose() => _key.Dispose();

    public static string ComputeKeyId(ReadOnlySpan<byte> subjectPublicKeyInfo) =>
        Convert.ToHexStringLower(SHA256.HashData(subjectPublicKeyInfo))[..KeyIdLength];

    /// <summary>
    /// A PEM public key given as text (<c>repo add --key</c> sends the file's content, not its path: the daemon never
    /// reads a file a caller names). <paramref name="source"/> names it in errors.
    /// </summary>
    public static RepositoryKey ParsePublic(string pem, string source) => Parse(pem, source, isPrivate: false);

    private static RepositoryKey Load(string path, bool isPrivate)
    {
        string pem;
        try
        {
            var info = new FileInfo(path);
            if (info.Exists && info.Length > 64 * 1024)
            {
                throw new RepositoryException($"{path}: too large for a key file");
            }

            pem = File.ReadAllText(path);
        }
        catch (IOException e)
        {
            throw new RepositoryException($"{path}: {e.Message}", e);
        }
        catch (UnauthorizedAccessException e)
        {
            throw new RepositoryException($"{path}: {e.Message}", e);
        }

        return Parse(pem, path, isPrivate);
    }

    private static RepositoryKey Parse(string pem, string path, bool isPrivate)
    {
        var key = ECDsa.Create();
        try
        {
            key.ImportFromPem(pem);
            var parameters = key.ExportParameters(includePrivateParameters: false);
            if (key.KeySize != 256 || parameters.Curve.Oid.Value != ECCurve.NamedCurves.nistP256.Oid.Value)
            {
                throw new RepositoryException($"{path}: not a P-256 key");
            }

            if (isPrivate)
            {
                // Throws when the PEM held only a public key.
                _ = key.ExportParameters(includePrivateParameters: true);
            }

            return new RepositoryKey(key, isPrivate);
        }
        catch (Exception e) when (e is ArgumentException or CryptographicException)
        {
            key.Dispose();
            string kind = isPrivate ? "PKCS#8 private" : "SubjectPublicKeyInfo public";
            throw new RepositoryException($"{path}: not a PEM {kind} ECDSA P-256 key ({e.Message})", e);
        }
        catch
        {
            key.Dispose();
            throw;
        }
    }
}
