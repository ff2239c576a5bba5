using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Distrid.Hosting;

/// <summary>
/// Loggers for the objects the daemon creates before its host exists (the first namespace is built on another core
/// while the host is built, see <see cref="FirstNamespace"/>). Each forwards to the host's logger; a message written
/// before the host is built waits for it.
/// </summary>
internal sealed class DeferredLoggerFactory
{
    private readonly TaskCompletionSource<ILoggerFactory> _factory = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public ILogger<T> CreateLogger<T>() => new Deferred<T>(_factory.Task);

    /// <summary>The host is built: messages go to its loggers from now on.</summary>
    public void Attach(ILoggerFactory factory) => _factory.TrySetResult(factory);

    /// <summary>No host will come (it failed to build): messages are dropped rather than waiting forever.</summary>
    public void Abandon() => _factory.TrySetResult(NullLoggerFactory.Instance);

    private sealed class Deferred<T>(Task<ILoggerFactory> factory) : ILogger<T>
    {
        private ILogger? _logger;

        private ILogger Logger => _logger ??= factory.GetAwaiter().GetResult().CreateLogger<T>();

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => Logger.BeginScope(state);

        public bool IsEnabled(LogLevel logLevel) => Logger.IsEnabled(logLevel);

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Logger.Log(logLevel, eventId, state, exception, formatter);
    }
}
