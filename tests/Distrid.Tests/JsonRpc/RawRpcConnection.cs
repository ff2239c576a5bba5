using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace Distrid.Tests.JsonRpc;

/// <summary>
/// A JSON-RPC client at the byte level: it sends whatever line a test gives it (valid or not) and reads the daemon's
/// answers line by line, as <c>socat</c> or a hostile local program would.
/// </summary>
internal sealed class RawRpcConnection : IDisposable
{
    private static readonly TimeSpan AnswerTimeout = TimeSpan.FromSeconds(30);
    private readonly Socket _socket;
    private readonly MemoryStream _pending = new();
    private readonly byte[] _chunk = new byte[64 << 10];

    private RawRpcConnection(Socket socket) => _socket = socket;

    public Socket Socket => _socket;

    public static RawRpcConnection Connect(string socketPath)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        socket.Connect(new UnixDomainSocketEndPoint(socketPath));
        return new RawRpcConnection(socket);
    }

    /// <summary>Connects from <paramref name="socket"/>, already connected elsewhere (e.g. under another uid).</summary>
    public static RawRpcConnection Adopt(Socket socket) => new(socket);

    public async Task SendLineAsync(string line) => await SendAsync(Encoding.UTF8.GetBytes(line + "\n"));

    public async Task SendAsync(ReadOnlyMemory<byte> bytes)
    {
        using var timeout = new CancellationTokenSource(AnswerTimeout);
        while (!bytes.IsEmpty)
        {
            int sent = await _socket.SendAsync(bytes, SocketFlags.None, timeout.Token);
            bytes = bytes[sent..];
        }
    }

    /// <summary>The next line the daemon sends, or null when it closes the connection first.</summary>
    public async Task<string?> ReadLineAsync()
    {
        using var timeout = new CancellationTokenSource(AnswerTimeout);
        while (true)
        {
            var buffered = _pending.GetBuffer().AsSpan(0, (int)_pending.Length);
            int newline = buffered.IndexOf((byte)'\n');
            if (newline >= 0)
            {
                string line = Encoding.UTF8.GetString(buffered[..newline]);
                var rest = buffered[(newline + 1)..].ToArray();
                _pending.SetLength(0);
                _pending.Write(rest);
                return line;
            }

            int n;
            try
            {
                n = await _socket.ReceiveAsync(_chunk, SocketFlags.None, timeout.Token);
            }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionReset)
            {
                n = 0;
            }

            if (n == 0)
            {
                return null;
            }

            _pending.Write(_chunk, 0, n);
        }
    }

    /// <summary>Sends <paramref name="line"/> and parses the one answer (failing if the connection closes instead).</summary>
    public async Task<JsonElement> CallAsync(string line)
    {
        await SendLineAsync(line);
        return await ReadAnswerAsync();
    }

    public async Task<JsonElement> ReadAnswerAsync()
    {
        string answer = await ReadLineAsync() ?? throw new InvalidOperationException("the daemon closed the connection instead of answering");
        return JsonDocument.Parse(answer).RootElement.Clone();
    }

    public void Dispose() => _socket.Dispose();
}
