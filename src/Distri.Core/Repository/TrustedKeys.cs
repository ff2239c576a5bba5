namespace Distri.Core.Repository;

/// <summary>
/// The public keys a client trusts: every <c>*.pub</c> of a directory (DESIGN.md: the daemon trusts every
/// <c>*.pub</c> in its trusted-keys directory). Verifies an index signature before the index is parsed.
/// </summary>
public sealed class TrustedKeys : IDisposable
{
    private readonly Dictionary<string, RepositoryKey> _keys;

    public TrustedKeys(IEnumerable<RepositoryKey> keys)
    {
        _keys = new Dictionary<string, RepositoryKey>(StringComparer.Ordinal);
        foreach (var key in keys)
        {
            _keys[key.KeyId] = key;
        }
    }

    /// <summary>Ids of the trusted keys, sorted.</summary>
    public IReadOnlyList<string> KeyIds => [.. _keys.Keys.Order(StringComparer.Ordinal)];

    /// <summary>Loads every <c>*.pub</c> file of <paramref name="directory"/>. A missing directory trusts nothing.</summary>
    public static TrustedKeys LoadDirectory(string directory)
    {
        if (!Directory.Exists(directory))
        {
            return new TrustedKeys([]);
        }

        var keys = new List<RepositoryKey>();
        try
        {
            foreach (string path in Directory.EnumerateFiles(directory, "*" + RepositoryKey.PublicKeyExtension).Order(StringComparer.Ordinal))
            {
                keys.Add(RepositoryKey.LoadPublic(path));
            }
        }
        catch
        {
            keys.ForEach(k => k.Dispose());
            throw;
        }

        return new TrustedKeys(keys);
    }

    /// <summary>
    /// Checks <paramref name="signatureFile"/> (the bytes of index.json.sig) over <paramref name="indexBytes"/>.
    /// Throws <see cref="RepositoryException"/> for a malformed signature file, an unknown key or a bad signature.
    /// </summary>
    public void Verify(ReadOnlySpan<byte> indexBytes, ReadOnlySpan<byte> signatureFile)
    {
        const string What = RepositoryLayout.SignatureFile;
        var signature = IndexSignature.Parse(signatureFile);
        if (!_keys.TryGetValue(signature.KeyId, out var key))
        {
            string trusted = _keys.Count == 0 ? "no keys are trusted" : "trusted: " + string.Join(", ", KeyIds);
            throw new RepositoryException($"{What}: signed by unknown key {IndexValidator.Quote(signature.KeyId)} ({trusted})");
        }

        byte[] raw;
        try
        {
            raw = Convert.FromBase64String(signature.Signature);
        }
        catch (FormatException e)
        {
            throw new RepositoryException($"{What}: malformed (signature is not base64)", e);
        }

        if (!key.Verify(indexBytes, raw))
        {
            throw new RepositoryException($"{What}: bad signature by key {key.KeyId} (index.json was altered or not signed by it)");
        }
    }

    /// <summary>Verifies the signature, and only then parses and validates the index.</summary>
    public RepositoryIndex VerifyAndParse(ReadOnlySpan<byte> indexBytes, ReadOnlySpan<byte> signatureFile)
    {
        Verify(indexBytes, signatureFile);
        return RepositoryIndex.Parse(indexBytes);
    }

    public void Dispose()
    {
        foreach (var key in _keys.Values)
        {
            key.Dispose();
        }
    }
}
