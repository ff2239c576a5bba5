using System.Text;
using Distri.Core.Repository;

namespace Distrid.Repository;

/// <summary>
/// Adds a public key to the trusted-keys directory (every <c>*.pub</c> there is trusted) as
/// <c>repo-&lt;key id&gt;.pub</c>, atomically; a key already trusted under any file name is not written twice.
/// </summary>
public sealed class TrustedKeyStore(string directory)
{
    public string Directory => directory;

    /// <summary>Whether a key with <paramref name="keyId"/> is already trusted.</summary>
    public bool Trusts(string keyId)
    {
        using var trusted = TrustedKeys.LoadDirectory(directory);
        return trusted.KeyIds.Contains(keyId, StringComparer.Ordinal);
    }

    /// <summary>Writes <paramref name="key"/> and returns its path, or null when it was trusted already.</summary>
    public string? Add(RepositoryKey key)
    {
        if (Trusts(key.KeyId))
        {
            return null;
        }

        System.IO.Directory.CreateDirectory(directory);
        string path = Path.Combine(directory, $"repo-{key.KeyId}{RepositoryKey.PublicKeyExtension}");
        AtomicFile.Write(path, Encoding.ASCII.GetBytes(key.ExportPublicPem() + "\n"));
        return path;
    }

    /// <summary>Takes back a key <see cref="Add"/> wrote, when the change it belonged to failed.</summary>
    public static void Withdraw(string path)
    {
        File.Delete(path);
        AtomicFile.SyncDirectory(Path.GetDirectoryName(path)!);
    }
}
