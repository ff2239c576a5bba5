namespace Distri.Core.Apt;

/// <summary>A failure of the archive (unreachable, unsigned, tampered, inconsistent), as one line for the user.</summary>
public sealed class AptArchiveException(string message, Exception? inner = null) : Exception(message, inner);
