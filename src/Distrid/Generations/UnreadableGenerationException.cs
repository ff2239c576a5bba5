namespace Distrid.Generations;

/// <summary>A generation file exists but cannot be read or trusted. Never treated as "no generation": the daemon
/// refuses to start (or the operation fails) instead of silently replacing what is installed.</summary>
public sealed class UnreadableGenerationException(string message) : Exception(message);
