using System.Text.Json;
using System.Text.Json.Serialization;

namespace Distri.Core.Repository;

/// <summary>
/// The detached signature file <c>index.json.sig</c>: which key signed (so a client with several trusted keys knows
/// which one to check, and can say "unknown key" instead of "bad signature") and the signature over the exact bytes of
/// <c>index.json</c>. Small JSON:
/// <c>{"algorithm": "ecdsa-p256-sha256", "keyId": "3fa2…", "signature": "&lt;base64 of r||s&gt;"}</c>.
/// </summary>
public sealed record IndexSignature
{
    /// <summary>A signature file is a few hundred bytes; anything larger is refused before parsing.</summary>
    public const int MaxFileSize = 64 * 1024;

    [JsonPropertyName("algorithm")]
    public required string Algorithm { get; init; }

    [JsonPropertyName("keyId")]
    public required string KeyId { get; init; }

    [JsonPropertyName("signature")]
    public required string Signature { get; init; }

    public static IndexSignature Create(RepositoryKey key, ReadOnlySpan<byte> indexBytes) => new()
    {
        Algorithm = RepositoryKey.Algorithm,
        KeyId = key.KeyId,
        Signature = Convert.ToBase64String(key.Sign(indexBytes)),
    };

    public byte[] ToUtf8Json()
    {
        byte[] json = JsonSerializer.SerializeToUtf8Bytes(this, RepositoryJsonContext.Default.IndexSignature);
        byte[] withNewline = new byte[json.Length + 1];
        json.CopyTo(withNewline, 0);
        withNewline[^1] = (byte)'\n';
        return withNewline;
    }

    public static IndexSignature Parse(ReadOnlySpan<byte> utf8Json)
    {
        const string What = RepositoryLayout.SignatureFile;
        if (utf8Json.Length > MaxFileSize)
        {
            throw new RepositoryException($"{What}: larger than {MaxFileSize} bytes");
        }

        IndexSignature? signature;
        try
        {
            signature = JsonSerializer.Deserialize(utf8Json, RepositoryJsonContext.Default.IndexSignature);
        }
        catch (JsonException e)
        {
            throw new RepositoryException($"{What}: malformed ({e.Message})", e);
        }

        if (signature is null || signature.Algorithm is null || signature.KeyId is null || signature.Signature is null)
        {
            throw new RepositoryException($"{What}: malformed (missing algorithm, keyId or signature)");
        }

        if (signature.Algorithm != RepositoryKey.Algorithm)
        {
            throw new RepositoryException(
                $"{What}: unsupported algorithm {IndexValidator.Quote(signature.Algorithm)} (expected {RepositoryKey.Algorithm})");
        }

        return signature;
    }
}
