using System.Text;
using Distri.Core.Tests.Support;

namespace Distri.Core.Tests.Debian;

/// <summary>Builds real .deb files with dpkg-deb from a small tree written by the test.</summary>
internal sealed class DebBuilder
{
    private readonly string _root;

    public DebBuilder(string workDirectory, string package)
    {
        _root = Path.Combine(workDirectory, "src-" + package + "-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(Path.Combine(_root, "DEBIAN"));
        System.IO.File.SetUnixFileMode(_root, (UnixFileMode)0x1ED);
        System.IO.File.SetUnixFileMode(Path.Combine(_root, "DEBIAN"), (UnixFileMode)0x1ED);
    }

    public DebBuilder Control(string text)
    {
        System.IO.File.WriteAllText(Path.Combine(_root, "DEBIAN", "control"), text);
        return this;
    }

    public DebBuilder File(string path, byte[] content, int mode = 0x1A4)
    {
        string full = Full(path);
        System.IO.File.WriteAllBytes(full, content);
        System.IO.File.SetUnixFileMode(full, (UnixFileMode)mode);
        return this;
    }

    public DebBuilder File(string path, string content, int mode = 0x1A4) => File(path, Encoding.UTF8.GetBytes(content), mode);

    public DebBuilder Symlink(string path, string target)
    {
        System.IO.File.CreateSymbolicLink(Full(path), target);
        return this;
    }

    public DebBuilder HardLink(string path, string existing)
    {
        ProcessRunner.Run("ln", Path.Combine(_root, existing), Full(path));
        return this;
    }

    /// <summary>Runs <c>dpkg-deb --root-owner-group -Z<paramref name="compression"/> --build</c>; returns the .deb path.</summary>
    public string Build(string outputPath, string compression)
    {
        ProcessRunner.Run("dpkg-deb", "--root-owner-group", "-Z" + compression, "--build", _root, outputPath);
        return outputPath;
    }

    private string Full(string path)
    {
        string full = Path.Combine(_root, path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        foreach (string directory in Directories(Path.GetDirectoryName(path)!))
        {
            System.IO.File.SetUnixFileMode(Path.Combine(_root, directory), (UnixFileMode)0x1ED);
        }

        return full;
    }

    private static IEnumerable<string> Directories(string path)
    {
        for (string? p = path; !string.IsNullOrEmpty(p); p = Path.GetDirectoryName(p))
        {
            yield return p;
        }
    }
}
