namespace Distrid.Fuse.FileSystem;

/// <summary>A range of a file to push into the kernel's page cache (NOTIFY_STORE).</summary>
/// <param name="Node">The file's node id.</param>
/// <param name="Offset">Page-aligned start.</param>
/// <param name="Length">Bytes; the store ends at a page boundary or at end of file.</param>
public readonly record struct FuseStoreRange(ulong Node, long Offset, int Length);
