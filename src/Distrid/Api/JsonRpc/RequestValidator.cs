using System.Buffers;
using System.Text.Json;
using Distri.Core.Text;
using Distrid.Protocol;
using StreamJsonRpc;

namespace Distrid.Api.JsonRpc;

/// <summary>
/// The verdict on one request line. <see cref="ErrorCode"/> 0: the line is a well-formed call of a known method with
/// fitting parameters. Otherwise the error to send (<see cref="Answer"/> false for a notification, which JSON-RPC
/// never answers) with <see cref="Id"/> (<see cref="RequestId.Null"/> when the id itself is unusable).
/// </summary>
internal readonly record struct RequestVerdict(RequestId Id, int ErrorCode, string? Message, bool Answer)
{
    public bool IsValid => ErrorCode == 0;

    public bool ExpectsResponse => !Id.IsEmpty;
}

/// <summary>
/// Checks a request line against JSON-RPC 2.0 and the contract before StreamJsonRpc parses it, so that every malformed
/// request gets the spec's error code and a one-line message instead of a dropped connection or an exception's text.
/// Batches (a JSON array) are not supported: one <c>-32600</c> with id null answers the whole array.
/// </summary>
internal sealed class RequestValidator(MethodSignatures methods)
{
    private static readonly JsonDocumentOptions DocumentOptions = new() { MaxDepth = SocketLimits.MaxJsonDepth };

    public RequestVerdict Check(ReadOnlySequence<byte> line)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(line, DocumentOptions);
        }
        catch (JsonException)
        {
            return Refuse(RequestId.Null, RpcErrorCodes.ParseError, $"parse error: not a JSON value, or nested deeper than {SocketLimits.MaxJsonDepth} levels");
        }

        using (document)
        {
            return Check(document.RootElement);
        }
    }

    private RequestVerdict Check(JsonElement request)
    {
        if (request.ValueKind == JsonValueKind.Array)
        {
            return Invalid(RequestId.Null, "batch requests are not supported; send one request object per line");
        }

        if (request.ValueKind != JsonValueKind.Object)
        {
            return Invalid(RequestId.Null, "a request must be a JSON object");
        }

        var id = RequestId.NotSpecified;
        if (request.TryGetProperty("id"u8, out var idElement))
        {
            if (idElement.ValueKind == JsonValueKind.Number && idElement.TryGetInt64(out long number))
            {
                id = new RequestId(number);
            }
            else if (idElement.ValueKind == JsonValueKind.String && idElement.GetString() is { Length: <= SocketLimits.MaxIdChars } text)
            {
                id = new RequestId(text);
            }
            else
            {
                return Invalid(RequestId.Null, $"\"id\" must be an integer or a string of at most {SocketLimits.MaxIdChars} characters");
            }
        }

        if (!request.TryGetProperty("jsonrpc"u8, out var version) || version.ValueKind != JsonValueKind.String || !version.ValueEquals("2.0"u8))
        {
            return Invalid(id, "\"jsonrpc\" must be \"2.0\"");
        }

        if (!request.TryGetProperty("method"u8, out var methodElement))
        {
            return Invalid(id, "no \"method\" (this server takes requests only)");
        }

        if (methodElement.ValueKind != JsonValueKind.String)
        {
            return Invalid(id, "\"method\" must be a string");
        }

        JsonElement? parameters = null;
        if (request.TryGetProperty("params"u8, out var paramsElement))
        {
            if (paramsElement.ValueKind is not (JsonValueKind.Object or JsonValueKind.Array))
            {
                return Invalid(id, "\"params\" must be an object or an array");
            }

            parameters = paramsElement;
        }

        string method = methodElement.GetString()!;
        if (!methods.IsKnown(method))
        {
            return Refuse(id, RpcErrorCodes.MethodNotFound, $"method not found: '{EchoText.Cap(method)}'");
        }

        return methods.Check(method, parameters) is { } problem
            ? Refuse(id, RpcErrorCodes.InvalidParams, "invalid params: " + problem)
            : new RequestVerdict(id, 0, null, Answer: false);
    }

    private static RequestVerdict Invalid(RequestId id, string reason) =>
        new(id, RpcErrorCodes.InvalidRequest, "invalid request: " + reason, Answer: true);

    /// <summary>Parse errors are always answered (with id null); a notification's errors never are (JSON-RPC 2.0, 5).</summary>
    private static RequestVerdict Refuse(RequestId id, int code, string message) =>
        new(id, code, message, Answer: code == RpcErrorCodes.ParseError || !id.IsEmpty);
}
