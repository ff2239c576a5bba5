using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Districtl.Client;

/// <summary>
/// The caller's side of JSON-RPC 2.0 over a <see cref="LineFramedTransport"/>, speaking the conventions of the
/// daemon's StreamJsonRpc server: named params, numeric request ids, <c>$/progress</c> notifications
/// <c>[token, value]</c> for a call that passed a numeric progress token, and <c>$/cancelRequest {"id": …}</c> when
/// the caller cancels. It correlates answers with calls; what the calls mean is <see cref="DaemonApi"/>'s business.
/// </summary>
internal sealed partial class JsonRpcClient : IAsyncDisposable
{
    private readonly LineFramedTransport _transport;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly Utf8JsonWriter _writer;
    private readonly Dictionary<long, PendingCall> _pending = [];
    private readonly Lock _pendingLock = new();
    private readonly CancellationTokenSource _stopReading = new();
    private readonly Task _reading;
    private long _lastId;
    private Exception? _closed;

    public JsonRpcClient(Stream duplex)
    {
        _transport = new LineFramedTransport(duplex);
        _writer = new Utf8JsonWriter(_transport.Pending);
        _reading = Task.Run(ReadAsync);
    }

    /// <summary>
    /// Calls <paramref name="method"/> with the named params <paramref name="writeParams"/> writes (into an open
    /// object) and deserializes its result. With <paramref name="progress"/>, a progress token goes along under
    /// its parameter name and the call's <c>$/progress</c> notifications reach it until the answer arrives.
    /// Cancelling sends <c>$/cancelRequest</c> and still waits for the answer: the daemon decides whether the
    /// call was stopped (then <see cref="OperationCanceledException"/>) or had gone too far (then its result).
    /// </summary>
    /// <exception cref="RemoteRpcException">The daemon answered with an error.</exception>
    /// <exception cref="RpcConnectionLostException">The connection ended before the answer.</exception>
    public async Task<TResult> InvokeAsync<TResult>(
        string method, Action<Utf8JsonWriter>? writeParams, JsonTypeInfo<TResult> resultType, ProgressRoute? progress, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var call = new PendingCall<TResult>(resultType, progress?.Report);
        long id;
        lock (_pendingLock)
        {
            if (_closed is not null)
            {
                throw new RpcConnectionLostException(inner: _closed);
            }

            id = ++_lastId;
            _pending.Add(id, call);
        }

        try
        {
            await SendAsync(id, method, writeParams, progress, cancellationToken);
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException)
        {
            Forget(id);
            throw new RpcConnectionLostException("cannot send to the daemon: " + e.Message, e);
        }
        catch
        {
            Forget(id);
            throw;
        }

        await using var cancel = cancellationToken.Register(() => _ = SendCancelAsync(id));
        try
        {
            return await call.Task;
        }
        catch (RemoteRpcException e) when (e.Code == RemoteRpcException.RequestCancelled && cancellationToken.IsCancellationRequested)
        {
            throw new OperationCanceledException(e.Message, e, cancellationToken);
        }
    }

    private async Task SendAsync(long id, string method, Action<Utf8JsonWriter>? writeParams, ProgressRoute? progress, CancellationToken cancellationToken)
    {
        await _writeLock.WaitAsync(cancellationToken);
        try
        {
            _writer.Reset(_transport.Pending);
            _writer.WriteStartObject();
            _writer.WriteString("jsonrpc"u8, "2.0"u8);
            _writer.WriteNumber("id"u8, id);
            _writer.WriteString("method"u8, method);
            _writer.WriteStartObject("params"u8);
            writeParams?.Invoke(_writer);
            if (progress is not null)
            {
                // StreamJsonRpc's server turns a number (or string) in an IProgress<T> parameter into a proxy that
                // sends "$/progress" with [token, value]; the request id is unique, so it serves as the token.
                _writer.WriteNumber(progress.ParameterName, id);
            }

            await SendWrittenMessageAsync();
        }
        finally
        {
            _writeLock.Release();
        }
    }

    /// <summary>Closes the params and message objects and sends the line; the caller holds the write lock.</summary>
    private async Task SendWrittenMessageAsync()
    {
        _writer.WriteEndObject();
        _writer.WriteEndObject();
        _writer.Flush();
        // Not cancellable once started: half a line would corrupt the stream for every later message.
        await _transport.SendLineAsync(CancellationToken.None);
    }

    private async Task SendCancelAsync(long id)
    {
        try
        {
            await _writeLock.WaitAsync();
            try
            {
                _writer.Reset(_transport.Pending);
                _writer.WriteStartObject();
                _writer.WriteString("jsonrpc"u8, "2.0"u8);
                _writer.WriteString("method"u8, "$/cancelRequest"u8);
                _writer.WriteStartObject("params"u8);
                _writer.WriteNumber("id"u8, id);
                await SendWrittenMessageAsync();
            }
            finally
            {
                _writeLock.Release();
            }
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException)
        {
            // The connection is gone: the pending call fails with RpcConnectionLostException from the reader.
        }
    }

    private void Forget(long id)
    {
        lock (_pendingLock)
        {
            _pending.Remove(id);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stopReading.CancelAsync();
        await _transport.DisposeAsync();
        await _reading;
        _stopReading.Dispose();
        _writer.Dispose();
        _writeLock.Dispose();
    }
}

/// <summary>Where a call's progress goes: the params member that carries the token, and the raw-value receiver.</summary>
internal sealed record ProgressRoute(string ParameterName, Action<ReadOnlySpan<byte>> Report);
