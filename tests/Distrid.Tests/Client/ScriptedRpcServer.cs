using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Distrid.Tests.Support;

namespace Distrid.Tests.Client;

/// <summary>
/// A stand-in daemon on a real Unix socket for one connection: the test reads what the client sent, line by line
/// as JSON, and answers with the lines it chooses (or closes the connection), to check the client's side of the wire.
/// </summary>
internal sealed class ScriptedRpcServer : IAsyncDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private readonly TempDirectory _directory = new("distrid-test-rpc");
    private readonly Socket _listener = new(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
    private Socket? _client;
    private StreamReader? _reader;

    public ScriptedRpcServer()
    {
        SocketPath = Path.Combine(_directory.Path, "rpc.sock");
        _listener.Bind(new UnixDomainSocketEndPoint(SocketPath));
        _listener.Listen(1);
    }

    public string SocketPath { get; }

    /// <summary>The next message the client sent (waits for the connection first).</summary>
    public async Task<JsonElement> ReceiveAsync()
    {
        using var timeout = new CancellationTokenSource(Patience);
        if (_client is null)
        {
            _client = await _listener.AcceptAsync(timeout.Token);
            _reader = new StreamReader(new NetworkStream(_client, ownsSocket: false), Encoding.UTF8);
        }

        string? line = await _reader!.ReadLineAsync(timeout.Token);
        Assert.NotNull(line);
        return JsonDocument.Parse(line).RootElement.Clone();
    }

    public async Task SendAsync(string json)
    {
        Assert.DoesNotContain('\n', json);
        await _client!.SendAsync(Encoding.UTF8.GetBytes(json + "\n"), SocketFlags.None);
    }

    /// <summary>Sends raw bytes as they are, in writes of at most <paramref name="chunk"/> bytes.</summary>
    public async Task SendInPiecesAsync(string text, int chunk)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(text);
        for (int offset = 0; offset < bytes.Length; offset += chunk)
        {
            await _client!.SendAsync(bytes.AsMemory(offset, Math.Min(chunk, bytes.Length - offset)), SocketFlags.None);
        }
    }

    /// <summary>Ends the connection as a crashing daemon would.</summary>
    public void CloseConnection() => _client!.Close();

    public ValueTask DisposeAsync()
    {
        _reader?.Dispose();
        _client?.Dispose();
        _listener.Dispose();
        _directory.Dispose();
        return ValueTask.CompletedTask;
    }
}
