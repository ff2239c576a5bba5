using System.Net.Sockets;
using System.Reflection;
using Distrid.Api.JsonRpc;
using Distrid.Protocol;
using Distrid.Tests.Support;
using Microsoft.Extensions.Logging;

namespace Distrid.Tests.JsonRpc;

/// <summary>
/// A bug in a method (an unexpected exception) reaches the client as <c>-32603</c> and one line; the exception
/// itself goes to the daemon's log. Served in-process by the daemon's own connection stack over a real Unix socket,
/// with an API whose every method fails the way the issue saw it (NullReferenceException).
/// </summary>
public sealed class InternalErrorTests
{
    [Fact]
    public async Task An_unexpected_exception_becomes_internal_error_without_its_text_and_is_logged()
    {
        using var dir = new TempDirectory();
        string path = Path.Combine(dir.Path, "api.sock");
        using var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        listener.Bind(new UnixDomainSocketEndPoint(path));
        listener.Listen(1);
        using var client = RawRpcConnection.Connect(path);
        using var server = await listener.AcceptAsync();
        var log = new ListLogger();
        var handler = new BoundedMessageHandler(new NetworkStream(server, ownsSocket: false), JsonRpcServer.CreateFormatter(),
            new RequestValidator(MethodSignatures.FromContract()), log);
        using var rpc = new DaemonJsonRpc(handler, log);
        rpc.AddLocalRpcTarget<IDistridApi>(FailingApi.Create(), null);
        rpc.StartListening();

        await client.SendLineAsync("""{"jsonrpc":"2.0","id":1,"method":"info","params":{"package":"zsh"}}""");
        string reply = await client.ReadLineAsync() ?? throw new Xunit.Sdk.XunitException("no answer");

        var error = MalformedRequestTests.AssertCleanError(reply, RpcErrorCodes.InternalError);
        Assert.StartsWith("internal error", error.GetProperty("message").GetString());
        Assert.DoesNotContain("Object reference", reply);
        Assert.Contains(log.Entries, e => e.Exception is NullReferenceException && e.Message.Contains("info", StringComparison.Ordinal));
    }

    private sealed class ListLogger : ILogger
    {
        private readonly Lock _lock = new();
        private readonly List<(string Message, Exception? Exception)> _entries = [];

        public IReadOnlyList<(string Message, Exception? Exception)> Entries
        {
            get
            {
                lock (_lock)
                {
                    return [.. _entries];
                }
            }
        }

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            lock (_lock)
            {
                _entries.Add((formatter(state, exception), exception));
            }
        }
    }

    /// <summary>Every method of the contract (whatever it holds now) fails with a NullReferenceException.</summary>
    public class FailingApi : DispatchProxy
    {
        public static IDistridApi Create() => Create<IDistridApi, FailingApi>();

        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
        {
            var failure = new NullReferenceException("Object reference not set to an instance of an object.");
            var resultType = targetMethod!.ReturnType.GetGenericArguments()[0];
            return typeof(Task).GetMethod(nameof(Task.FromException), 1, [typeof(Exception)])!.MakeGenericMethod(resultType).Invoke(null, [failure]);
        }
    }
}
