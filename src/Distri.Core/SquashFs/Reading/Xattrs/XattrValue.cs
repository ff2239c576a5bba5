namespace Distri.Core.SquashFs.Reading.Xattrs;

/// <summary>Where an xattr value's bytes start in the key/value table, and how many there are.</summary>
internal readonly record struct XattrValue(long BlockPosition, int Offset, int Length);
