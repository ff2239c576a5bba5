namespace Distri.Core.Apt;

/// <summary>A dependency nothing in the archive meets; the message names the chain: "curl -> libcurl4 -> libnghttp2-14 (>= 1.50): not in the archive".</summary>
public sealed class UnmetDependencyException(string message) : Exception(message);
