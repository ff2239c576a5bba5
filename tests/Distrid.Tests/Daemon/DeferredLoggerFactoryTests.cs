using Distrid.Hosting;
using Microsoft.Extensions.Logging;

namespace Distrid.Tests.Daemon;

/// <summary>
/// The store and the /ro tables exist before the host (the first namespace is built meanwhile): what they log must
/// reach the host's loggers once it is built, and must not hang when the host never comes.
/// </summary>
public sealed class DeferredLoggerFactoryTests
{
    [Fact]
    public async Task A_message_written_before_the_host_exists_reaches_its_logger_once_attached()
    {
        var loggers = new DeferredLoggerFactory();
        var logger = loggers.CreateLogger<DeferredLoggerFactoryTests>();
        var written = Task.Run(() => logger.LogWarning("store: ignoring {Path}", "/roimg/bad.squashfs"));

        await Task.Delay(50, TestContext.Current.CancellationToken);
        Assert.False(written.IsCompleted); // it waits for the host rather than losing the message

        var sink = new ListProvider();
        using var factory = LoggerFactory.Create(b => b.AddProvider(sink).SetMinimumLevel(LogLevel.Debug));
        loggers.Attach(factory);
        await written.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);

        var message = Assert.Single(sink.Messages);
        Assert.Equal((LogLevel.Warning, typeof(DeferredLoggerFactoryTests).FullName!, "store: ignoring /roimg/bad.squashfs"), message);
        Assert.False(logger.IsEnabled(LogLevel.Trace));
        Assert.True(logger.IsEnabled(LogLevel.Debug));
    }

    [Fact]
    public async Task Without_a_host_messages_are_dropped_instead_of_waiting_forever()
    {
        var loggers = new DeferredLoggerFactory();
        var logger = loggers.CreateLogger<DeferredLoggerFactoryTests>();
        loggers.Abandon();

        await Task.Run(() => logger.LogError("image {Package} is damaged", "a-amd64-1"), TestContext.Current.CancellationToken)
            .WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
        Assert.False(logger.IsEnabled(LogLevel.Critical));
    }

    private sealed class ListProvider : ILoggerProvider
    {
        public List<(LogLevel Level, string Category, string Text)> Messages { get; } = [];

        public ILogger CreateLogger(string categoryName) => new ListLogger(this, categoryName);

        public void Dispose()
        {
        }

        private sealed class ListLogger(ListProvider owner, string category) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                lock (owner.Messages)
                {
                    owner.Messages.Add((logLevel, category, formatter(state, exception)));
                }
            }
        }
    }
}
