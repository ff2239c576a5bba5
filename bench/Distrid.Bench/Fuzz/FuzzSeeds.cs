using System.Diagnostics;
using System.Text;

namespace Distrid.Bench.Fuzz;

/// <summary>
/// Seed images for the fuzzer, made by mksquashfs from a small tree that still reaches every structure: fragments
/// and full blocks, a sparse file, an extended directory with an index (a 600-entry listing over 8 KiB), nested
/// directories, symlinks, hard links, a fifo and xattrs (inline and shared).
/// </summary>
public static class FuzzSeeds
{
    public static readonly IReadOnlyList<string[]> Variants =
    [
        ["-comp", "gzip", "-xattrs"],
        ["-comp", "zstd", "-xattrs"],
        ["-comp", "xz", "-xattrs"],
        ["-noI", "-noD", "-noF", "-noX", "-xattrs"],
        ["-comp", "gzip", "-always-use-fragments", "-b", "4096", "-xattrs"],
    ];

    /// <summary>Builds the tree under <paramref name="workDirectory"/> and returns one image per variant.</summary>
    public static IReadOnlyList<byte[]> Create(string workDirectory)
    {
        string source = Path.Combine(workDirectory, "seed-tree");
        CreateTree(source);
        var images = new List<byte[]>();
        for (int i = 0; i < Variants.Count; i++)
        {
            string image = Path.Combine(workDirectory, $"seed-{i}.sqfs");
            Run("mksquashfs", [source, image, "-noappend", "-quiet", "-no-progress", .. Variants[i]]);
            images.Add(File.ReadAllBytes(image));
        }

        return images;
    }

    private static void CreateTree(string root)
    {
        var random = new Random(42);
        Directory.CreateDirectory(root);
        string files = Directory.CreateDirectory(Path.Combine(root, "files")).FullName;
        foreach (int size in (int[])[0, 1, 100, 4095, 4097, 20_000, 140_000, 300_000])
        {
            byte[] content = new byte[size];
            random.NextBytes(content.AsSpan(0, size / 3));
            File.WriteAllBytes(Path.Combine(files, $"size-{size}"), content);
        }

        using (FileStream sparse = File.Create(Path.Combine(files, "sparse")))
        {
            sparse.SetLength(600_000);
            sparse.Position = 300_000;
            sparse.Write(Encoding.ASCII.GetBytes("data in the middle"));
        }

        string wide = Directory.CreateDirectory(Path.Combine(root, "wide")).FullName;
        for (int i = 0; i < 600; i++)
        {
            File.WriteAllText(Path.Combine(wide, $"a-rather-long-file-name-number-{i:D4}"), i.ToString());
        }

        string deep = root;
        for (int i = 0; i < 6; i++)
        {
            deep = Directory.CreateDirectory(Path.Combine(deep, $"level-{i}")).FullName;
        }

        File.WriteAllText(Path.Combine(deep, "leaf"), "leaf\n");
        File.CreateSymbolicLink(Path.Combine(root, "link"), "files/size-100");
        File.CreateSymbolicLink(Path.Combine(root, "long-link"), new string('x', 2000));
        Run("ln", [Path.Combine(files, "size-100"), Path.Combine(root, "hard-link")]);
        Run("mkfifo", [Path.Combine(root, "fifo")]);
        Run("setfattr", ["-n", "user.mime", "-v", "text/plain", Path.Combine(files, "size-100")]);
        Run("setfattr", ["-n", "user.mime", "-v", "text/plain", Path.Combine(files, "size-1")]);
        Run("setfattr", ["-n", "user.big", "-v", new string('v', 3000), Path.Combine(files, "size-0")]);
        Run("setfattr", ["-n", "user.dir", "-v", "yes", wide]);
    }

    private static void Run(string tool, string[] arguments)
    {
        var info = new ProcessStartInfo(tool) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (string argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        using Process process = Process.Start(info) ?? throw new InvalidOperationException($"cannot start {tool}");
        string error = process.StandardError.ReadToEnd();
        process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{tool} failed ({process.ExitCode}): {error}");
        }
    }
}
