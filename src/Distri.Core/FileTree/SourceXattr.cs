namespace Distri.Core.FileTree;

/// <summary>One extended attribute: its full name ("user.mime_type") and raw value.</summary>
public sealed record SourceXattr(string Name, byte[] Value);
