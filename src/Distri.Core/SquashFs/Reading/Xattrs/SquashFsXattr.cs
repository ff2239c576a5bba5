namespace Distri.Core.SquashFs.Reading.Xattrs;

/// <summary>One extended attribute: full name ("user.mime", "security.capability") and value.</summary>
public sealed record SquashFsXattr(string Name, byte[] Value);
