namespace Distrid.Fuse.FileSystem;

/// <summary>What <see cref="FuseDirectoryWriter.TryAdd"/> did with one entry.</summary>
public enum DirectoryAddResult
{
    /// <summary>The reply is full; the entry was not added. Stop and return 0.</summary>
    Full = 0,

    /// <summary>The entry was added; the kernel does not count it as a lookup.</summary>
    Added = 1,

    /// <summary>
    /// The entry was added as a READDIRPLUS record with a node id: the kernel counts it as one lookup, so the
    /// file system must add 1 to the node's lookup count exactly as for LOOKUP.
    /// </summary>
    AddedWithLookup = 2,
}
