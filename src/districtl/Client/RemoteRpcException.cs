using System.Text.Json;

namespace Districtl.Client;

/// <summary>
/// The daemon answered a call with a JSON-RPC error object. <see cref="Exception.Message"/> is the daemon's one-line
/// message as it sent it; <see cref="Code"/> its code (the contract's <c>ErrorCodes</c>, or JSON-RPC's own negatives).
/// </summary>
internal sealed class RemoteRpcException(int code, string message) : Exception(message)
{
    /// <summary>JSON-RPC's code for "the request was cancelled" (the server's answer to <c>$/cancelRequest</c>).</summary>
    public const int RequestCancelled = -32800;

    public int Code { get; } = code;

    /// <summary>Reads <c>{"code":…,"message":…,"data":…}</c>; a malformed object still becomes a readable error.</summary>
    public static RemoteRpcException FromErrorObject(ReadOnlySpan<byte> error)
    {
        int code = 0;
        string? message = null;
        var reader = new Utf8JsonReader(error);
        if (reader.Read() && reader.TokenType == JsonTokenType.StartObject)
        {
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                bool isCode = reader.ValueTextEquals("code"u8), isMessage = reader.ValueTextEquals("message"u8);
                reader.Read();
                if (isCode && reader.TokenType == JsonTokenType.Number)
                {
                    reader.TryGetInt32(out code);
                }
                else if (isMessage && reader.TokenType == JsonTokenType.String)
                {
                    message = reader.GetString();
                }
                else
                {
                    reader.Skip();
                }
            }
        }

        return new RemoteRpcException(code, string.IsNullOrEmpty(message) ? $"the daemon failed the call (error {code})" : message);
    }
}
