namespace Distrid.FileSystem.Exchange;

/// <summary>
/// What one image contributes to the exchange directories: every path below its <c>bin/</c>, <c>lib/</c>, ...
/// (relative to the image root, raw name bytes joined by '/'), each a directory or a leaf (file, symlink, device...).
/// Computed once per image and cached, so that a daemon start never reads every image.
/// </summary>
public sealed class PackageManifest(IReadOnlyList<ManifestEntry> entries)
{
    /// <summary>The directories merged under /ro, in the order DESIGN.md lists them.</summary>
    public static readonly IReadOnlyList<string> ExchangeDirectories = ["bin", "sbin", "lib", "lib64", "libexec", "include", "share"];

    public static readonly PackageManifest Empty = new([]);

    /// <summary>Entries in depth-first order: a directory comes before what it contains.</summary>
    public IReadOnlyList<ManifestEntry> Entries { get; } = entries;
}

/// <summary>One path of a manifest, e.g. <c>bin/less</c> (a leaf) or <c>share/man</c> (a directory).</summary>
public readonly record struct ManifestEntry(byte[] Path, bool IsDirectory);
