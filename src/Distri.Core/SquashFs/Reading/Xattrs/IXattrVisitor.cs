namespace Distri.Core.SquashFs.Reading.Xattrs;

/// <summary>Receives the xattrs of one inode; return false to stop.</summary>
internal interface IXattrVisitor
{
    bool Visit(scoped ReadOnlySpan<byte> fullName, in XattrValue value);
}
