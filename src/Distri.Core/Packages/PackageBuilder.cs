using System.Security.Cryptography;
using System.Text.Json;
using Distri.Core.FileTree;
using Distri.Core.SquashFs.Writing;

namespace Distri.Core.Packages;

/// <summary>
/// Makes a package: the image <c>&lt;fullname&gt;.squashfs</c> of a tree and its <c>&lt;fullname&gt;.meta.json</c>
/// (full name, summary, dependencies, size, sha256). Both appear atomically (temporary file, fsync, rename), so a
/// failed build leaves nothing half-written in the output directory.
/// </summary>
public static class PackageBuilder
{
    public static PackageMetadata Build(SourceDirectory root, PackageName name, PackageBuildOptions options, string outputDirectory)
    {
        ArgumentNullException.ThrowIfNull(options);
        foreach (string dependency in options.Dependencies)
        {
            if (!PackageName.TryParse(dependency, out _, out string? error))
            {
                throw new FormatException($"dependency {error}");
            }
        }

        Directory.CreateDirectory(outputDirectory);
        string imagePath = Path.Combine(outputDirectory, name.FullName + PackageMetadata.ImageExtension);
        string metaPath = Path.Combine(outputDirectory, name.FullName + PackageMetadata.MetadataExtension);
        SquashFsWriter.WriteFile(root, imagePath, options.Image);

        PackageMetadata metadata;
        try
        {
            metadata = new PackageMetadata
            {
                FullName = name.FullName,
                Summary = options.Summary,
                Dependencies = [.. options.Dependencies.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)],
                Size = new FileInfo(imagePath).Length,
                Sha256 = Sha256File(imagePath),
                HostRequirements = options.HostRequirements,
            };
            WriteMetadata(metadata, metaPath);
        }
        catch
        {
            File.Delete(imagePath);
            throw;
        }

        return metadata;
    }

    /// <summary>Writes <c>.meta.json</c> atomically (temporary file, fsync, rename).</summary>
    public static void WriteMetadata(PackageMetadata metadata, string path)
    {
        string temporary = path + ".tmp-" + Environment.ProcessId;
        using (var stream = new FileStream(temporary, FileMode.Create, FileAccess.Write))
        {
            JsonSerializer.Serialize(stream, metadata, PackageMetadataJsonContext.Default.PackageMetadata);
            stream.Flush(flushToDisk: true);
        }

        File.Move(temporary, path, overwrite: true);
    }

    public static string Sha256File(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }
}

/// <summary>What goes into a package besides its tree.</summary>
public sealed record PackageBuildOptions
{
    public string Summary { get; init; } = "";

    /// <summary>Runtime dependencies as full names.</summary>
    public IReadOnlyList<string> Dependencies { get; init; } = [];

    public SquashFsWriterOptions Image { get; init; } = new();

    /// <summary>What the package would change on the host if installed the Debian way (see <see cref="PackageMetadata.HostRequirements"/>).</summary>
    public IReadOnlyList<string>? HostRequirements { get; init; }
}
