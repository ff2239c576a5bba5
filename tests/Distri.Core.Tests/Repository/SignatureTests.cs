using System.Runtime.Versioning;
using System.Text;
using Distri.Core.Repository;

namespace Distri.Core.Tests.Repository;

public sealed class SignatureTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("distri-sig-test-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    [SupportedOSPlatform("linux")]
    public void Saved_keys_load_back_with_the_same_id_and_a_secret_private_key()
    {
        string prefix = Path.Combine(_dir, "k");
        string id;
        using (var key = RepositoryKey.Generate())
        {
            key.Save(prefix);
            id = key.KeyId;
        }

        using var priv = RepositoryKey.LoadPrivate(prefix + ".key");
        using var pub = RepositoryKey.LoadPublic(prefix + ".pub");
        Assert.Equal(id, priv.KeyId);
        Assert.Equal(id, pub.KeyId);
        Assert.Matches("^[0-9a-f]{16}$", id);
        Assert.True(priv.HasPrivateKey);
        Assert.False(pub.HasPrivateKey);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(prefix + ".key"));
        Assert.StartsWith("-----BEGIN PRIVATE KEY-----", File.ReadAllText(prefix + ".key"), StringComparison.Ordinal);
        Assert.StartsWith("-----BEGIN PUBLIC KEY-----", File.ReadAllText(prefix + ".pub"), StringComparison.Ordinal);

        byte[] data = Encoding.UTF8.GetBytes("hello");
        Assert.True(pub.Verify(data, priv.Sign(data)));
    }

    [Fact]
    public void Saving_over_an_existing_key_is_refused()
    {
        string prefix = Path.Combine(_dir, "k");
        using var key = RepositoryKey.Generate();
        key.Save(prefix);
        byte[] before = File.ReadAllBytes(prefix + ".key");
        using var other = RepositoryKey.Generate();
        var error = Assert.Throws<RepositoryException>(() => other.Save(prefix));
        Assert.Contains("already exists", error.Message, StringComparison.Ordinal);
        Assert.Equal(before, File.ReadAllBytes(prefix + ".key"));
    }

    [Fact]
    public void A_public_key_file_is_not_accepted_as_a_private_key()
    {
        string prefix = Path.Combine(_dir, "k");
        using (var key = RepositoryKey.Generate())
        {
            key.Save(prefix);
        }

        var error = Assert.Throws<RepositoryException>(() => RepositoryKey.LoadPrivate(prefix + ".pub"));
        Assert.StartsWith($"{prefix}.pub: not a PEM PKCS#8 private", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Verification_accepts_the_signed_bytes_and_rejects_changed_bytes_and_unknown_keys()
    {
        using var signer = RepositoryKey.Generate();
        using var stranger = RepositoryKey.Generate();
        byte[] index = Encoding.UTF8.GetBytes("{\"formatVersion\":1}");
        byte[] sig = IndexSignature.Create(signer, index).ToUtf8Json();
        using var trusted = TrustedFrom(signer);

        trusted.Verify(index, sig);

        byte[] altered = (byte[])index.Clone();
        altered[^2] = (byte)'2';
        var bad = Assert.Throws<RepositoryException>(() => trusted.Verify(altered, sig));
        Assert.StartsWith($"index.json.sig: bad signature by key {signer.KeyId}", bad.Message, StringComparison.Ordinal);

        byte[] strangerSig = IndexSignature.Create(stranger, index).ToUtf8Json();
        var unknown = Assert.Throws<RepositoryException>(() => trusted.Verify(index, strangerSig));
        Assert.Equal($"index.json.sig: signed by unknown key '{stranger.KeyId}' (trusted: {signer.KeyId})", unknown.Message);
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("{}")]
    [InlineData("{\"algorithm\":\"rsa\",\"keyId\":\"00\",\"signature\":\"AA==\"}")]
    public void Malformed_signature_files_are_rejected_with_a_clear_error(string sigFile)
    {
        using var signer = RepositoryKey.Generate();
        using var trusted = TrustedFrom(signer);
        var error = Assert.Throws<RepositoryException>(() => trusted.Verify("x"u8, Encoding.UTF8.GetBytes(sigFile)));
        Assert.StartsWith("index.json.sig: ", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public void Trusted_keys_are_every_pub_file_of_the_directory()
    {
        string trustedDir = Path.Combine(_dir, "trusted.d");
        Directory.CreateDirectory(trustedDir);
        using var a = RepositoryKey.Generate();
        using var b = RepositoryKey.Generate();
        a.Save(Path.Combine(trustedDir, "a"));
        b.Save(Path.Combine(trustedDir, "b"));
        File.WriteAllText(Path.Combine(trustedDir, "README"), "not a key");

        using var trusted = TrustedKeys.LoadDirectory(trustedDir);
        Assert.Equal(new[] { a.KeyId, b.KeyId }.Order(StringComparer.Ordinal), trusted.KeyIds);
        using var none = TrustedKeys.LoadDirectory(Path.Combine(_dir, "missing"));
        Assert.Empty(none.KeyIds);
    }

    private TrustedKeys TrustedFrom(RepositoryKey key)
    {
        string path = Path.Combine(_dir, $"{key.KeyId}.pub");
        File.WriteAllText(path, key.ExportPublicPem());
        return new TrustedKeys([RepositoryKey.LoadPublic(path)]);
    }
}
