using Distri.Core.Tests.Support;

namespace Distrid.Tests.Import;

/// <summary>
/// Real Debian packages for the import tests, kept in /var/tmp/distrid-ci/debs across runs: a package missing there is
/// fetched once with <c>apt-get download</c> from the machine's apt sources; later runs use the cache only.
/// </summary>
public static class DebCache
{
    public const string Directory = "/var/tmp/distrid-ci/debs";

    /// <summary>
    /// The runtime closure of curl (Depends/Pre-Depends), of dash (the /bin/sh every closure needs) and of perl (dpkg,
    /// in dash's closure, ships perl scripts), bookworm: what import-apt needs once undeclared requirements count.
    /// </summary>
    public static readonly string[] CurlAndShell =
    [
        "curl", "gcc-12-base", "libbrotli1", "libc6", "libcom-err2", "libcurl4", "libdb5.3", "libffi8", "libgcc-s1", "libgmp10",
        "libgnutls30", "libgssapi-krb5-2", "libhogweed6", "libidn2-0", "libk5crypto3", "libkeyutils1", "libkrb5-3", "libkrb5support0",
        "libldap-2.5-0", "libnettle8", "libnghttp2-14", "libp11-kit0", "libpsl5", "librtmp1", "libsasl2-2", "libsasl2-modules-db",
        "libssh2-1", "libssl3", "libtasn1-6", "libunistring2", "libzstd1", "zlib1g",
        "dash", "debianutils", "dpkg", "tar", "libacl1", "libbz2-1.0", "liblzma5", "libmd0", "libpcre2-8-0", "libselinux1",
        "perl", "perl-base", "perl-modules-5.36", "libperl5.36", "libcrypt1", "libgdbm6", "libgdbm-compat4",
    ];

    /// <summary>One cached .deb per name (downloading those not cached yet).</summary>
    public static IReadOnlyList<string> Ensure(IEnumerable<string> names)
    {
        System.IO.Directory.CreateDirectory(Directory);
        var missing = names.Where(name => Find(name) is null).ToList();
        if (missing.Count > 0)
        {
            var download = new System.Diagnostics.ProcessStartInfo("apt-get") { WorkingDirectory = Directory, RedirectStandardError = true, RedirectStandardOutput = true };
            download.ArgumentList.Add("download");
            foreach (string name in missing)
            {
                download.ArgumentList.Add(name);
            }

            using var process = System.Diagnostics.Process.Start(download)!;
            string error = process.StandardError.ReadToEnd();
            process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            Assert.True(process.ExitCode == 0, $"apt-get download {string.Join(' ', missing)}: {error}");
        }

        return [.. names.Select(name => Find(name) ?? throw new InvalidOperationException($"{name}: not in {Directory} after apt-get download"))];
    }

    private static string? Find(string name) =>
        System.IO.Directory.EnumerateFiles(Directory, $"{name}_*.deb").Order(StringComparer.Ordinal).LastOrDefault();

    /// <summary>A copy of <paramref name="deb"/> with "+SUFFIX" appended to its version (and otherwise the same files), written into <paramref name="directory"/>.</summary>
    public static string Rebuild(string deb, string suffix, string directory)
    {
        string tree = Path.Combine(directory, "tree-" + Path.GetFileNameWithoutExtension(deb));
        ProcessRunner.Run("dpkg-deb", "-R", deb, tree);
        string control = Path.Combine(tree, "DEBIAN", "control");
        string[] lines = File.ReadAllLines(control);
        string version = "";
        for (int i = 0; i < lines.Length; i++)
        {
            if (lines[i].StartsWith("Version: ", StringComparison.Ordinal))
            {
                version = lines[i]["Version: ".Length..] + "+" + suffix;
                lines[i] = "Version: " + version;
            }
        }

        File.WriteAllLines(control, lines);
        string output = Path.Combine(directory, Path.GetFileName(deb).Split('_')[0] + "_" + version.Replace(":", "%3a", StringComparison.Ordinal) + "_amd64.deb");
        ProcessRunner.Run("dpkg-deb", "--root-owner-group", "-Zxz", "-b", tree, output);
        System.IO.Directory.Delete(tree, recursive: true);
        return output;
    }
}
