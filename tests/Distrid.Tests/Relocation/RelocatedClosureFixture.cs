using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using Distrid.Tests.Support;

namespace Distrid.Tests.Relocation;

/// <summary>
/// The Depends/Pre-Depends closures of seven real programs (qemu-system-x86, python3, python3-numpy, git, ack, curl, and
/// ure, LibreOffice's UNO runtime, whose lib/libreoffice/program it shares with libuno-sal3 and the other UNO libraries) plus dash,
/// which provides the /bin/sh that <c>ClosureRelocator.Scan</c> reports as missing otherwise; their .debs
/// downloaded once with <c>apt-get download</c> into /var/tmp/distrid-ci/debs, imported with
/// <c>districtl import-deb</c> (relocated) into /var/tmp/distrid-ci/relocation/&lt;key&gt;, the key being a hash of the
/// .debs and of the importer's code, and served by a real daemon on a temporary /ro.
/// </summary>
public sealed class RelocatedClosureFixture : IDisposable
{
    public static readonly string[] Roots = ["qemu-system-x86", "python3", "python3-numpy", "git", "ack", "curl", "ure", "dash"];

    public const string CacheRoot = "/var/tmp/distrid-ci";

    private readonly TempDirectory? _directory;
    private readonly DaemonProcess? _daemon;

    public RelocatedClosureFixture()
    {
        if (!Requirements.RootWithFuse() || !Requirements.Tool("/usr/bin/patchelf") || !Requirements.Tool("/usr/bin/apt-get"))
        {
            return;
        }

        Images = BuildImages(DownloadClosure(Roots));
        _directory = new TempDirectory("distrid-relocated");
        var paths = new DaemonPaths(_directory.Path);
        foreach (string file in Directory.EnumerateFiles(Images))
        {
            File.Copy(file, Path.Combine(paths.Store, Path.GetFileName(file)));
        }

        _daemon = DaemonProcess.StartAsync(paths).GetAwaiter().GetResult();
        Mount = paths.Mountpoint;
    }

    public bool Available => _daemon is not null;

    /// <summary>The directory of relocated images (with .meta.json).</summary>
    public string Images { get; } = "";

    /// <summary>Where the daemon mounts /ro for this fixture.</summary>
    public string Mount { get; } = "";

    /// <summary>The .debs of the closure of <paramref name="roots"/> (bench/lib/deb_closure.py), downloaded once.</summary>
    public static IReadOnlyList<string> DownloadClosure(IReadOnlyList<string> roots)
    {
        string debs = Path.Combine(CacheRoot, "debs");
        Directory.CreateDirectory(debs);
        var names = Run("python3", [Path.Combine(RepositoryRoot(), "bench", "lib", "deb_closure.py"), .. roots], null)
            .Split('\n', StringSplitOptions.RemoveEmptyEntries);
        string? Find(string name) => Directory.EnumerateFiles(debs, $"{name}_*.deb").Order(StringComparer.Ordinal).LastOrDefault();
        string[] missing = [.. names.Where(n => Find(n) is null)];
        if (missing.Length > 0)
        {
            Run("apt-get", ["-q", "-o", "APT::Sandbox::User=root", "download", .. missing], debs);
        }

        return [.. names.Select(n => Find(n) ?? throw new InvalidOperationException($"apt-get download gave no .deb for {n}"))];
    }

    /// <summary>Imports <paramref name="debs"/> with districtl import-deb, once per distinct input (cached by hash).</summary>
    public static string BuildImages(IReadOnlyList<string> debs)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (string deb in debs.Order(StringComparer.Ordinal))
        {
            hash.AppendData(Encoding.UTF8.GetBytes($"{Path.GetFileName(deb)} {new FileInfo(deb).Length}\n"));
        }

        foreach (string assembly in (string[])["Distri.Core.dll", "districtl.dll"])
        {
            hash.AppendData(File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, assembly)));
        }

        string key = Convert.ToHexStringLower(hash.GetHashAndReset())[..16];
        string images = Path.Combine(CacheRoot, "relocation", key);
        if (Directory.Exists(images))
        {
            return images;
        }

        string building = images + ".tmp-" + Environment.ProcessId;
        if (Directory.Exists(building))
        {
            Directory.Delete(building, recursive: true);
        }

        var result = RunDistrictl(["import-deb", .. debs, "-o", building]);
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException($"import-deb failed ({result.ExitCode}):\n{result.Stderr}");
        }

        Directory.Move(building, images);
        foreach (string stale in Directory.EnumerateDirectories(Path.GetDirectoryName(images)!).Where(d => d != images))
        {
            // Images of older .debs or older importer code are never used again.
            Directory.Delete(stale, recursive: true);
        }

        return images;
    }

    public static Cli.Result RunDistrictl(string[] arguments)
    {
        using var process = Cli.Start(arguments);
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(20)))
        {
            process.Kill();
            throw new TimeoutException("districtl import-deb took more than 20 minutes");
        }

        return new Cli.Result(process.ExitCode, stdout.Result, stderr.Result);
    }

    public static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Distrid.sln")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException("cannot find the repository root (Distrid.sln)");
    }

    public static string Run(string program, string[] arguments, string? workingDirectory)
    {
        var start = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
        };
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        string stderr = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{program} {string.Join(' ', arguments)} failed ({process.ExitCode}): {stderr}");
        }

        return stdout.Result;
    }

    public void Dispose()
    {
        _daemon?.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _directory?.Dispose();
    }
}
