using System.Buffers;
using Distri.Core.Text;
using Distrid.Protocol;
using Microsoft.Extensions.Logging;
using StreamJsonRpc;
using StreamJsonRpc.Protocol;
using StreamJsonRpc.Reflection;

namespace Distrid.Api.JsonRpc;

/// <summary>
/// StreamJsonRpc's transport for one socket connection, with the socket's limits (<see cref="SocketLimits"/>):
/// lines come from a <see cref="BoundedLineReader"/>, each is checked by the <see cref="RequestValidator"/> and
/// answered here if it is malformed, so StreamJsonRpc dispatches only well-formed calls. On the way out every error
/// object loses its <c>data</c> and is cut to one line: no exception text or stack trace leaves the daemon, whoever
/// made the error. Reading pauses while <see cref="SocketLimits.MaxCallsInFlight"/> calls wait for their answers.
/// </summary>
internal sealed class BoundedMessageHandler : MessageHandlerBase, IJsonRpcMessageBufferManager
{
    private readonly Stream _stream;
    private readonly BoundedLineReader _lines;
    private readonly RequestValidator _validator;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _callSlots = new(SocketLimits.MaxCallsInFlight, SocketLimits.MaxCallsInFlight);
    private readonly HashSet<RequestId> _callsInFlight = [];
    private readonly Lock _callsLock = new();
    private ArrayBufferWriter<byte>? _sendBuffer;
    private JsonRpcMessage? _messageOnBuffer;
    private int _answeredSlots;

    public BoundedMessageHandler(Stream stream, IJsonRpcMessageFormatter formatter, RequestValidator validator, ILogger logger)
        : base(formatter)
    {
        _stream = stream;
        _lines = new BoundedLineReader(stream, SocketLimits.MaxRequestBytes, SocketLimits.RequestLineTimeout);
        _validator = validator;
        _logger = logger;
    }

    public override bool CanRead => true;

    public override bool CanWrite => true;

    void IJsonRpcMessageBufferManager.DeserializationComplete(JsonRpcMessage message)
    {
        // The formatter's document points into the pipe's buffer until StreamJsonRpc has read the arguments.
        if (ReferenceEquals(message, _messageOnBuffer))
        {
            (message as IJsonRpcMessageBufferManager)?.DeserializationComplete(message);
            _messageOnBuffer = null;
            _lines.Release();
        }
    }

    protected override async ValueTask<JsonRpcMessage?> ReadCoreAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var (status, line) = await _lines.ReadLineAsync(cancellationToken);
            switch (status)
            {
                case LineStatus.End:
                    return null;
                case LineStatus.TooLong:
                    _logger.LogWarning("closing a client connection: request exceeds {Limit} bytes", SocketLimits.MaxRequestBytes);
                    await SendErrorAsync(RequestId.Null, RpcErrorCodes.RequestTooLarge, $"request exceeds {SocketLimits.MaxRequestBytes >> 20} MiB", cancellationToken);
                    return null;
                case LineStatus.TimedOut:
                    _logger.LogWarning("closing a client connection: request not finished within {Timeout}", SocketLimits.RequestLineTimeout);
                    await SendErrorAsync(RequestId.Null, RpcErrorCodes.RequestTimedOut,
                        $"request not finished within {SocketLimits.RequestLineTimeout.TotalSeconds:0} s", cancellationToken);
                    return null;
            }

            if (line.IsEmpty)
            {
                _lines.Release();
                continue;
            }

            var verdict = _validator.Check(line);
            if (!verdict.IsValid)
            {
                _lines.Release();
                if (verdict.Answer)
                {
                    await SendErrorAsync(verdict.Id.IsEmpty ? RequestId.Null : verdict.Id, verdict.ErrorCode, verdict.Message!, cancellationToken);
                }

                continue;
            }

            if (verdict.ExpectsResponse)
            {
                if (!await TakeCallSlotAsync(verdict.Id, cancellationToken))
                {
                    _lines.Release();
                    await SendErrorAsync(verdict.Id, RpcErrorCodes.InvalidRequest, "invalid request: this id is already in use by a call in flight", cancellationToken);
                    continue;
                }
            }

            JsonRpcMessage message;
            try
            {
                message = Formatter.Deserialize(line);
            }
            catch (Exception e)
            {
                // The validator accepted what the formatter refused: a gap in the validator, answered generically.
                _lines.Release();
                _logger.LogWarning("a request passed validation but not StreamJsonRpc's parser: {Error}", e.Message);
                ReturnCallSlot(verdict.Id);
                await SendErrorAsync(verdict.Id.IsEmpty ? RequestId.Null : verdict.Id, RpcErrorCodes.InvalidRequest, "invalid request", cancellationToken);
                continue;
            }

            if (message is IJsonRpcMessageBufferManager)
            {
                _messageOnBuffer = message;
            }
            else
            {
                _lines.Release();
            }

            return message;
        }
    }

    protected override ValueTask WriteCoreAsync(JsonRpcMessage content, CancellationToken cancellationToken)
    {
        if (content is JsonRpcError { Error: { } error })
        {
            error.Data = null;
            error.Message = EchoText.OneLine(error.Message);
        }

        _sendBuffer ??= new ArrayBufferWriter<byte>(4096);
        Formatter.Serialize(_sendBuffer, content);
        _sendBuffer.Write("\n"u8);
        // The id is free again as soon as its answer is on its way (the client may reuse it the moment it reads the
        // answer); the slot itself comes back once the answer has left, so a client that does not read stays stalled.
        if (content is JsonRpcResult or JsonRpcError && content is IJsonRpcMessageWithId { RequestId: var id } && !id.IsEmpty && ForgetCall(id))
        {
            _answeredSlots++;
        }

        return default;
    }

    protected override async ValueTask FlushAsync(CancellationToken cancellationToken)
    {
        // Waits while the client does not read: the writer (and, through the call slots, the reader) stalls, memory does not grow.
        if (_sendBuffer is null)
        {
            return;
        }

        await _stream.WriteAsync(_sendBuffer.WrittenMemory, cancellationToken);
        if (_sendBuffer.Capacity > SocketLimits.RetainedSendBufferBytes)
        {
            _sendBuffer = null;
        }
        else
        {
            _sendBuffer.ResetWrittenCount();
        }

        if (_answeredSlots > 0)
        {
            _callSlots.Release(_answeredSlots);
            _answeredSlots = 0;
        }
    }

    protected override void DisposeReader()
    {
        _lines.Dispose();
        base.DisposeReader();
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _stream.Dispose();
            _callSlots.Dispose();
        }

        base.Dispose(disposing);
    }

    private async ValueTask<bool> TakeCallSlotAsync(RequestId id, CancellationToken cancellationToken)
    {
        lock (_callsLock)
        {
            if (_callsInFlight.Contains(id))
            {
                return false;
            }
        }

        await _callSlots.WaitAsync(cancellationToken);
        lock (_callsLock)
        {
            _callsInFlight.Add(id);
        }

        return true;
    }

    private bool ForgetCall(RequestId id)
    {
        lock (_callsLock)
        {
            return _callsInFlight.Remove(id);
        }
    }

    private void ReturnCallSlot(RequestId id)
    {
        if (ForgetCall(id))
        {
            _callSlots.Release();
        }
    }

    private async ValueTask SendErrorAsync(RequestId id, int code, string message, CancellationToken cancellationToken)
    {
        var error = (Formatter as IJsonRpcMessageFactory)?.CreateErrorMessage() ?? new JsonRpcError();
        error.RequestId = id;
        error.Error = new JsonRpcError.ErrorDetail { Code = (JsonRpcErrorCode)code, Message = message };
        await WriteAsync(error, cancellationToken);
    }
}
