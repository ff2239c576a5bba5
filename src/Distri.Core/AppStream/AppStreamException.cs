namespace Distri.Core.AppStream;

/// <summary>A package's AppStream data (metainfo, desktop file, icon) or a catalog is malformed; one line, no stack.</summary>
public sealed class AppStreamException(string message, Exception? inner = null) : Exception(message, inner);
