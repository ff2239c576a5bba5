using Distri.Core.Text;
using Distrid.Protocol;
using Microsoft.Extensions.Logging;
using StreamJsonRpc;
using StreamJsonRpc.Protocol;

namespace Distrid.Api.JsonRpc;

/// <summary>
/// StreamJsonRpc's dispatcher with the daemon's error policy: a refusal the API meant (<see cref="LocalRpcException"/>)
/// keeps its code and one-line message; anything else is a bug, logged here in full and answered with
/// <c>-32603 internal error</c>, so no exception type, message or stack trace reaches the client.
/// </summary>
internal sealed class DaemonJsonRpc : StreamJsonRpc.JsonRpc
{
    private readonly ILogger _logger;

    public DaemonJsonRpc(IJsonRpcMessageHandler handler, ILogger logger)
        : base(handler)
    {
        _logger = logger;
        // A call whose client has gone is cancelled (its CancellationToken fires): nobody is left to get the answer,
        // and a transaction started by a vanished client must not run on for minutes.
        CancelLocallyInvokedMethodsWhenConnectionIsClosed = true;
    }

    protected override JsonRpcError.ErrorDetail CreateErrorDetails(JsonRpcRequest request, Exception exception)
    {
        if (exception is LocalRpcException refusal)
        {
            return new JsonRpcError.ErrorDetail { Code = (JsonRpcErrorCode)refusal.ErrorCode, Message = EchoText.OneLine(refusal.Message) };
        }

        _logger.LogError(exception, "JSON-RPC call {Method} failed", EchoText.Cap(request.Method));
        return new JsonRpcError.ErrorDetail { Code = (JsonRpcErrorCode)RpcErrorCodes.InternalError, Message = "internal error (see the daemon's log)" };
    }
}
