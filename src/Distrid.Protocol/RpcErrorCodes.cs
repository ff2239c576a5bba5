namespace Distrid.Protocol;

/// <summary>
/// JSON-RPC's own error codes as the daemon uses them (the spec's five, plus the server errors of the socket's
/// limits, in the spec's -32000..-32099 range). Failed transactions use <see cref="ErrorCodes"/> instead.
/// See docs/API.md, "Errors" and "Limits".
/// </summary>
public static class RpcErrorCodes
{
    /// <summary>The line is not JSON, or nested deeper than the socket's depth limit. Answered with id null.</summary>
    public const int ParseError = -32700;

    /// <summary>JSON, but not a request object: a batch array, a method that is not a string, an id that is an object...</summary>
    public const int InvalidRequest = -32600;

    public const int MethodNotFound = -32601;

    /// <summary>A parameter is missing, unknown, null where a value is needed, or of the wrong type.</summary>
    public const int InvalidParams = -32602;

    /// <summary>Something failed inside the daemon; the details are in the daemon's log, never in the reply.</summary>
    public const int InternalError = -32603;

    /// <summary>The call was cancelled (<c>$/cancelRequest</c>) before it did anything.</summary>
    public const int RequestCancelled = -32800;

    /// <summary>A request line longer than the socket's limit; the daemon closes the connection after this answer.</summary>
    public const int RequestTooLarge = -32001;

    /// <summary>The caller's user (or all users together) already holds the most connections allowed; sent, then closed.</summary>
    public const int TooManyConnections = -32002;

    /// <summary>A request line was begun and not finished within the socket's idle limit; sent, then closed.</summary>
    public const int RequestTimedOut = -32003;
}
