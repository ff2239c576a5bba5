using Distri.Core.Packages;

namespace Distrid.Store;

/// <summary>One image in the store, with its metadata when the <c>.meta.json</c> beside it is readable.</summary>
public sealed record StoredPackage(PackageName Name, string ImagePath, long Size, ImageIdentity Identity, PackageMetadata? Metadata)
{
    /// <summary>Formatted once: sorting and looking up 10,000 packages at start asks for it hundreds of thousands of times.</summary>
    public string FullName { get; } = Name.FullName;
}

/// <summary>
/// What identifies one image file's bytes without reading them: device, inode, size and mtime. Images are
/// immutable, so a cached manifest keyed by this stays valid until the file is replaced.
/// </summary>
public readonly record struct ImageIdentity(ulong Device, ulong Inode, long Size, long MtimeNanoseconds)
{
    public override string ToString() => $"{Device:x}-{Inode:x}-{Size:x}-{MtimeNanoseconds:x}";
}
