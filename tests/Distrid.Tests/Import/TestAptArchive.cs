using Distri.Core.Tests.Support;

namespace Distrid.Tests.Import;

/// <summary>
/// A Debian-format archive on disk, built the way Debian builds one: the .debs under pool/main, then
/// <c>apt-ftparchive packages</c>, <c>contents</c> and <c>release</c>, and InRelease / Release.gpg signed with a
/// throwaway OpenPGP key in a private GNUPGHOME (its agent is stopped in Dispose). Suite "test", component "main",
/// architecture amd64.
/// </summary>
public sealed class TestAptArchive : IDisposable
{
    public const string Suite = "test";

    private readonly string _gnupgHome;

    public TestAptArchive(string root)
    {
        Root = root;
        _gnupgHome = System.IO.Directory.CreateTempSubdirectory("distrid-gpg-").FullName;
        Gpg("--quick-gen-key", "Distrid test archive <archive@test.invalid>", "ed25519", "sign", "1d");
        Keyring = Path.Combine(_gnupgHome, "archive-keyring.gpg");
        Gpg("--output", Keyring, "--export");
    }

    public string Root { get; }

    /// <summary>The public key, as a keyring file gpgv reads.</summary>
    public string Keyring { get; }

    public string Dists => Path.Combine(Root, "dists", Suite);

    public string PackagesXz => Path.Combine(Dists, "main", "binary-amd64", "Packages.xz");

    public string Pool => Path.Combine(Root, "pool", "main");

    /// <summary>Copies <paramref name="debs"/> into the pool (replacing what was there) and writes indexes and signatures.</summary>
    public void Publish(IEnumerable<string> debs)
    {
        if (System.IO.Directory.Exists(Root))
        {
            System.IO.Directory.Delete(Root, recursive: true);
        }

        System.IO.Directory.CreateDirectory(Pool);
        foreach (string deb in debs)
        {
            File.Copy(deb, Path.Combine(Pool, Path.GetFileName(deb)));
        }

        string binary = Path.Combine(Dists, "main", "binary-amd64");
        System.IO.Directory.CreateDirectory(binary);
        File.WriteAllText(Path.Combine(binary, "Packages"), FtpArchive("packages", "pool"));
        ProcessRunner.Run("xz", "-k", "-f", Path.Combine(binary, "Packages"));
        File.WriteAllText(Path.Combine(Dists, "main", "Contents-amd64"), FtpArchive("contents", "pool"));
        ProcessRunner.Run("gzip", "-n", "-f", Path.Combine(Dists, "main", "Contents-amd64"));
        File.WriteAllText(Path.Combine(Dists, "Release"), FtpArchive(
            "-o", $"APT::FTPArchive::Release::Suite={Suite}", "-o", $"APT::FTPArchive::Release::Codename={Suite}",
            "-o", "APT::FTPArchive::Release::Components=main", "-o", "APT::FTPArchive::Release::Architectures=amd64",
            "release", $"dists/{Suite}"));
        Sign();
    }

    /// <summary>Re-signs dists/SUITE/Release (after a test changed it, to model a compromised signing key or not).</summary>
    public void Sign()
    {
        string release = Path.Combine(Dists, "Release");
        Gpg("--yes", "--clearsign", "-o", Path.Combine(Dists, "InRelease"), release);
        Gpg("--yes", "--detach-sign", "-o", Path.Combine(Dists, "Release.gpg"), release);
    }

    private string FtpArchive(params string[] args) =>
        ProcessRunner.Run("sh", ["-c", "cd \"$0\" && exec apt-ftparchive \"$@\"", Root, .. args]).StandardOutput;

    private void Gpg(params string[] args) =>
        ProcessRunner.Run("gpg", ["--homedir", _gnupgHome, "--batch", "--quiet", "--pinentry-mode", "loopback", "--passphrase", "", .. args]);

    public void Dispose()
    {
        ProcessRunner.Run("gpgconf", ["--homedir", _gnupgHome, "--kill", "all"], allowFailure: true);
        System.IO.Directory.Delete(_gnupgHome, recursive: true);
    }
}
