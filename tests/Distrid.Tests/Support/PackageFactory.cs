using Distri.Core.FileTree;
using Distri.Core.Packages;

namespace Distrid.Tests.Support;

/// <summary>Makes real package images (our SquashFS writer) from small trees described in the test.</summary>
public static class PackageFactory
{
    /// <summary>
    /// Writes <paramref name="files"/> (relative path → content; content "->target" makes a symlink; files under bin/ are
    /// executable) under <paramref name="tree"/>, which exists afterwards even when <paramref name="files"/> is empty.
    /// </summary>
    public static void WriteTree(string tree, IReadOnlyDictionary<string, string> files)
    {
        foreach (var (path, content) in files)
        {
            string full = Path.Combine(tree, path);
            Directory.CreateDirectory(Path.GetDirectoryName(full)!);
            if (content.StartsWith("->", StringComparison.Ordinal))
            {
                File.CreateSymbolicLink(full, content[2..]);
            }
            else
            {
                File.WriteAllText(full, content);
                if (path.StartsWith("bin/", StringComparison.Ordinal))
                {
                    File.SetUnixFileMode(full, (UnixFileMode)0b111_101_101);
                }
            }
        }

        Directory.CreateDirectory(tree);
    }

    /// <summary>Writes <paramref name="files"/> as <see cref="WriteTree"/> does under
    /// a fresh directory and packs it as <paramref name="fullName"/> into <paramref name="store"/>.</summary>
    public static string Pack(string store, string fullName, IReadOnlyDictionary<string, string> files, string? workDirectory = null, params string[] dependencies)
    {
        string tree = Path.Combine(workDirectory ?? Path.GetTempPath(), "tree-" + fullName + "-" + Guid.NewGuid().ToString("N"));
        try
        {
            WriteTree(tree, files);
            PackageBuilder.Build(DirectoryScanner.Scan(tree), PackageName.Parse(fullName), new PackageBuildOptions { Dependencies = dependencies, Summary = "test package " + fullName }, store);
            return Path.Combine(store, fullName + PackageMetadata.ImageExtension);
        }
        finally
        {
            Directory.Delete(tree, recursive: true);
        }
    }

    /// <summary>A shell script that prints <paramref name="message"/>.</summary>
    public static string Script(string message) => $"#!/bin/sh\necho '{message}'\n";
}
