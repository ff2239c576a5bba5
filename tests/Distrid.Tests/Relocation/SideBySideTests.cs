using Distrid.Tests.Support;

namespace Distrid.Tests.Relocation;

/// <summary>
/// Two versions of one shared library, each with a program linked against it, imported as two closures and
/// installed at once: each program maps only its own version. Also: an incomplete closure is refused with one line
/// per missing thing, and nothing is written.
/// </summary>
public sealed class SideBySideTests
{
    [Fact]
    public async Task TwoProgramsOfTwoVersionsOfOneLibrary_EachMapsOnlyItsOwnVersion()
    {
        if (!Requirements.RootWithFuse() || !Requirements.Tool("/usr/bin/gcc") || !Requirements.Tool("/usr/bin/patchelf"))
        {
            return;
        }

        using var work = new TempDirectory("distrid-sidebyside");
        var runtime = RelocatedClosureFixture.DownloadClosure(["libc6", "dash", "perl-base"]); // dash for /bin/sh, perl-base for dpkg's perl scripts
        string v1 = BuildLibraryDeb(work.Path, "1.0");
        string v2 = BuildLibraryDeb(work.Path, "2.0");
        string a = BuildProgramDeb(work.Path, "greet-a", "1.0", v1);
        string b = BuildProgramDeb(work.Path, "greet-b", "2.0", v2);
        var paths = new DaemonPaths(Path.Combine(work.Path, "daemon"));

        var first = RelocatedClosureFixture.RunDistrictl(["import-deb", a, v1, .. runtime, "-o", paths.Store]);
        Assert.True(first.ExitCode == 0, first.Stderr);
        var libcMeta = Directory.GetFiles(paths.Store, "libc6-amd64-*.meta.json").Single();
        string libcBefore = File.ReadAllText(libcMeta);
        var second = RelocatedClosureFixture.RunDistrictl(["import-deb", b, v2, .. runtime, "-o", paths.Store]);
        Assert.True(second.ExitCode == 0, second.Stderr);
        // Reproducible: the shared part of both closures is written again with the same bytes.
        Assert.Equal(libcBefore, File.ReadAllText(libcMeta));
        Assert.Single(Directory.GetFiles(paths.Store, "libgreet1-amd64-1.0-1.squashfs"));
        Assert.Single(Directory.GetFiles(paths.Store, "libgreet1-amd64-2.0-1.squashfs"));

        await using var daemon = await DaemonProcess.StartAsync(paths);
        using var root = new EmptyRoot(paths.Mountpoint);
        foreach (var (program, version) in new[] { ("greet-a", "1.0"), ("greet-b", "2.0") })
        {
            var result = await root.RunAsync([$"/ro/bin/{program}"]);
            Assert.True(result.ExitCode == 0, result.Stderr);
            string[] lines = result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.Equal($"libgreet {version}", lines[0]);
            Assert.NotEmpty(lines[1..]);
            Assert.All(lines[1..], mapped => Assert.Equal($"/ro/libgreet1-amd64-{version}-1/lib/x86_64-linux-gnu/libgreet.so.1", mapped));
        }
    }

    [Fact]
    public void AnIncompleteClosure_IsRefusedWithOneLinePerMissingThing_AndNothingIsWritten()
    {
        if (!Requirements.Tool("/usr/bin/gcc"))
        {
            return;
        }

        using var work = new TempDirectory("distrid-incomplete");
        var libc = RelocatedClosureFixture.DownloadClosure(["libc6"]);
        string v1 = BuildLibraryDeb(work.Path, "1.0");
        string a = BuildProgramDeb(work.Path, "greet-a", "1.0", v1);
        string output = Path.Combine(work.Path, "out");

        // Neither libgreet1 (the soname greet-a needs) nor a /bin/sh provider is among the files.
        var result = RelocatedClosureFixture.RunDistrictl(["import-deb", a, .. libc, "-o", output]);
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("missing: greet-a-amd64-1.0-1 needs soname libgreet.so.1", result.Stderr);
        Assert.Contains("needs path /bin/sh", result.Stderr);
        Assert.False(Directory.Exists(output) && Directory.EnumerateFileSystemEntries(output).Any());
    }

    private static string BuildLibraryDeb(string work, string version)
    {
        string tree = Path.Combine(work, $"libgreet1-{version}");
        string lib = Path.Combine(tree, "usr/lib/x86_64-linux-gnu");
        Directory.CreateDirectory(lib);
        string source = Path.Combine(work, $"greet-{version}.c");
        File.WriteAllText(source, $"const char *greet_version(void) {{ return \"{version}\"; }}\n");
        RelocatedClosureFixture.Run("gcc", ["-shared", "-fPIC", "-Wl,-soname,libgreet.so.1", "-o", Path.Combine(lib, "libgreet.so.1"), source], null);
        return PackDeb(work, tree, "libgreet1", version, "libc6");
    }

    private static string BuildProgramDeb(string work, string name, string libraryVersion, string libraryDeb)
    {
        string tree = Path.Combine(work, name);
        string bin = Path.Combine(tree, "usr/bin");
        Directory.CreateDirectory(bin);
        string source = Path.Combine(work, $"{name}.c");
        // The program prints the library's version, then what the kernel says it maps of libgreet (/proc/self/maps).
        File.WriteAllText(source, """
            #include <stdio.h>
            #include <string.h>
            const char *greet_version(void);
            int main(void) {
                char line[4096];
                FILE *maps = fopen("/proc/self/maps", "r");
                printf("libgreet %s\n", greet_version());
                while (maps && fgets(line, sizeof line, maps))
                    if (strstr(line, "libgreet")) printf("%s", strchr(line, '/'));
                return 0;
            }

            """);
        string libraryDirectory = Path.Combine(work, $"libgreet1-{libraryVersion}", "usr/lib/x86_64-linux-gnu");
        RelocatedClosureFixture.Run("gcc", ["-o", Path.Combine(bin, name), source, "-L" + libraryDirectory, "-l:libgreet.so.1"], null);
        _ = libraryDeb;
        return PackDeb(work, tree, name, libraryVersion, $"libgreet1 (= {libraryVersion}), libc6");
    }

    private static string PackDeb(string work, string tree, string package, string version, string depends)
    {
        Directory.CreateDirectory(Path.Combine(tree, "DEBIAN"));
        File.WriteAllText(Path.Combine(tree, "DEBIAN", "control"),
            $"Package: {package}\nVersion: {version}\nArchitecture: amd64\nMaintainer: Distrid tests <tests@example.org>\nDepends: {depends}\nDescription: side-by-side test package\n");
        string deb = Path.Combine(work, $"{package}_{version}_amd64.deb");
        RelocatedClosureFixture.Run("dpkg-deb", ["--root-owner-group", "--build", tree, deb], null);
        return deb;
    }
}
