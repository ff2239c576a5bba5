using Distri.Core.Packages;

namespace Distri.Core.Repository;

/// <summary>The fixed file names of a mirror (see DESIGN.md, "Mirror"), relative to the repository root.</summary>
public static class RepositoryLayout
{
    public const string IndexFile = "index.json";
    public const string SignatureFile = "index.json.sig";
    public const string PackageDirectory = "pkg";

    /// <summary>Suffix of the zstd-compressed transport copy of an image, preferred by clients.</summary>
    public const string ZstExtension = ".squashfs.zst";

    /// <summary>Relative URL path of an image, e.g. <c>pkg/zsh-amd64-5.9-3.squashfs</c>.</summary>
    public static string ImagePath(string fullName) => $"{PackageDirectory}/{fullName}{PackageMetadata.ImageExtension}";

    /// <summary>Relative URL path of the compressed transport copy, e.g. <c>pkg/zsh-amd64-5.9-3.squashfs.zst</c>.</summary>
    public static string ZstPath(string fullName) => $"{PackageDirectory}/{fullName}{ZstExtension}";

    public static string MetadataPath(string fullName) => $"{PackageDirectory}/{fullName}{PackageMetadata.MetadataExtension}";
}
