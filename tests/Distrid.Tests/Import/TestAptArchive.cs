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

    public TestAptArchive()
    {
        _gnupgHome = System.IO.Directory.CreateTempSubdirectory("distrid-gpg-").FullName;
        Gpg("--quick-gen-key", "Distrid test archive <archive@test.invalid>", "ed25519", "sign", "1d");
        Keyring = Path.Combine(_gnupgHome, "archive-keyring.gpg");
        Gpg("--output", Keyring, "--export");
    }

    /// <summary>The public key, as a keyring file gpgv reads.</summary>
    public string Keyring { get; }

    public static string Dists(string root) => Path.Combine(root, "dists", Suite);

    public static string PackagesXz(string root) => Path.Combine(Dists(root), "main", "binary-amd64", "Packages.xz");

    public static string Pool(string root) => Path.Combine(root, "pool", "main");

    /// <summary>Writes an archive of <paramref name="debs"/> at <paramref name="root"/> (replacing what was there): pool, indexes, signatures.</summary>
    public void Publish(string root, IEnumerable<string> debs)
    {
        if (System.IO.Directory.Exists(root))
        {
            System.IO.Directory.Delete(root, recursive: true);
        }

        System.IO.Directory.CreateDirectory(Pool(root));
        foreach (string deb in debs)
        {
            File.Copy(deb, Path.Combine(Pool(root), Path.GetFileName(deb)));
        }

        string binary = Path.Combine(Dists(root), "main", "binary-amd64");
        System.IO.Directory.CreateDirectory(binary);
        File.WriteAllText(Path.Combine(binary, "Packages"), FtpArchive(root, "packages", "pool"));
        ProcessRunner.Run("xz", "-k", "-f", Path.Combine(binary, "Packages"));
        File.WriteAllText(Path.Combine(Dists(root), "main", "Contents-amd64"), FtpArchive(root, "contents", "pool"));
        ProcessRunner.Run("gzip", "-n", "-f", Path.Combine(Dists(root), "main", "Contents-amd64"));
        File.WriteAllText(Path.Combine(Dists(root), "Release"), FtpArchive(root,
            "-o", $"APT::FTPArchive::Release::Suite={Suite}", "-o", $"APT::FTPArchive::Release::Codename={Suite}",
            "-o", "APT::FTPArchive::Release::Components=main", "-o", "APT::FTPArchive::Release::Architectures=amd64",
            "release", $"dists/{Suite}"));
        string release = Path.Combine(Dists(root), "Release");
        Gpg("--yes", "--clearsign", "-o", Path.Combine(Dists(root), "InRelease"), release);
        Gpg("--yes", "--detach-sign", "-o", Path.Combine(Dists(root), "Release.gpg"), release);
    }

    private static string FtpArchive(string root, params string[] args) =>
        ProcessRunner.Run("sh", ["-c", "cd \"$0\" && exec apt-ftparchive \"$@\"", root, .. args]).StandardOutput;

    private void Gpg(params string[] args) =>
        ProcessRunner.Run("gpg", ["--homedir", _gnupgHome, "--batch", "--quiet", "--pinentry-mode", "loopback", "--passphrase", "", .. args]);

    public void Dispose()
    {
        ProcessRunner.Run("gpgconf", ["--homedir", _gnupgHome, "--kill", "all"], allowFailure: true);
        System.IO.Directory.Delete(_gnupgHome, recursive: true);
    }
}
