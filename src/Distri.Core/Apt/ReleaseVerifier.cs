using System.Diagnostics;

namespace Distri.Core.Apt;

/// <summary>
/// Checks the OpenPGP signature of a Release file with <c>gpgv</c> (GnuPG's verify-only tool, what apt itself uses)
/// against one keyring, and returns the signed text as gpgv wrote it, so that only signed bytes are parsed (a
/// cleartext-signed InRelease may carry unsigned text around the signed part).
/// </summary>
public static class ReleaseVerifier
{
    public const string Gpgv = "/usr/bin/gpgv";
    public const string DefaultKeyring = "/usr/share/keyrings/debian-archive-keyring.gpg";

    /// <summary>Verifies a cleartext-signed InRelease; returns the signed Release text.</summary>
    public static string VerifyInRelease(byte[] inRelease, string keyring)
    {
        string dir = Directory.CreateTempSubdirectory("distri-gpgv-").FullName;
        try
        {
            string input = Path.Combine(dir, "InRelease");
            string output = Path.Combine(dir, "Release");
            File.WriteAllBytes(input, inRelease);
            Run(keyring, ["--output", output, input], "InRelease");
            return File.ReadAllText(output);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>Verifies Release against its detached Release.gpg; returns the Release text.</summary>
    public static string VerifyDetached(byte[] release, byte[] signature, string keyring)
    {
        string dir = Directory.CreateTempSubdirectory("distri-gpgv-").FullName;
        try
        {
            string data = Path.Combine(dir, "Release");
            string sig = Path.Combine(dir, "Release.gpg");
            File.WriteAllBytes(data, release);
            File.WriteAllBytes(sig, signature);
            Run(keyring, [sig, data], "Release");
            return System.Text.Encoding.UTF8.GetString(release);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static void Run(string keyring, string[] args, string what)
    {
        if (!File.Exists(Gpgv))
        {
            throw new AptArchiveException($"{Gpgv} is not installed (apt-get install gpgv), so {what} cannot be verified");
        }

        if (!File.Exists(keyring))
        {
            throw new AptArchiveException($"keyring {keyring} does not exist");
        }

        var psi = new ProcessStartInfo(Gpgv)
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        psi.ArgumentList.Add("--keyring");
        psi.ArgumentList.Add(Path.GetFullPath(keyring));
        foreach (string arg in args)
        {
            psi.ArgumentList.Add(arg);
        }

        // gpgv writes nothing into a home directory, but give it an empty one so the user's trustdb never matters.
        string home = Directory.CreateTempSubdirectory("distri-gnupghome-").FullName;
        psi.Environment["GNUPGHOME"] = home;
        try
        {
            using var process = Process.Start(psi)!;
            var stderr = process.StandardError.ReadToEndAsync();
            process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            if (process.ExitCode != 0)
            {
                throw new AptArchiveException($"{what}: signature not valid for keyring {keyring} ({Reason(stderr.Result)})");
            }
        }
        finally
        {
            Directory.Delete(home, recursive: true);
        }
    }

    // gpgv's most telling line: "BAD signature", "No public key", "no valid OpenPGP data found".
    private static string Reason(string stderr)
    {
        string[] lines = stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        string? line = lines.FirstOrDefault(l => l.Contains("BAD signature", StringComparison.Ordinal))
            ?? lines.FirstOrDefault(l => l.Contains("public key", StringComparison.OrdinalIgnoreCase))
            ?? lines.LastOrDefault();
        return (line ?? "gpgv failed").Replace("gpgv: ", "", StringComparison.Ordinal);
    }
}
