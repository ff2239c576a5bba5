namespace Distrid.Hosting;

/// <summary>The daemon cannot start (mountpoint busy, socket in use...): logged as one line, exit status 1.</summary>
internal sealed class DaemonStartException(string message, Exception? inner = null) : Exception(message, inner);
