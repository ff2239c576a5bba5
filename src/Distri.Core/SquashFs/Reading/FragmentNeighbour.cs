namespace Distri.Core.SquashFs.Reading;

/// <summary>A small file whose whole content lies in the same fragment block as another file's tail.</summary>
/// <param name="InodeRef">The neighbour's inode reference.</param>
/// <param name="Size">Its size in bytes (less than one block).</param>
public readonly record struct FragmentNeighbour(ulong InodeRef, uint Size);
