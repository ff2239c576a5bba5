namespace Distrid.Api.JsonRpc;

/// <summary>
/// Every bound of the JSON-RPC socket, in one place (docs/API.md, "Limits", states the same numbers). The socket is
/// mode 0666: whatever any local user can make the daemon hold or compute must be bounded here.
/// </summary>
internal static class SocketLimits
{
    /// <summary>The longest request line, without its "\n". Longer: error <c>-32001</c>, then the connection closes
    /// without reading the rest.</summary>
    public const int MaxRequestBytes = 1 << 20;

    /// <summary>How deeply a request's JSON may nest (arrays and objects). Our requests need 3.</summary>
    public const int MaxJsonDepth = 64;

    /// <summary>A begun request line must end within this time; the time counts from its first byte, so a client
    /// trickling one byte now and then cannot hold a connection. Idle connections between requests never time out.</summary>
    public static readonly TimeSpan RequestLineTimeout = TimeSpan.FromSeconds(30);

    /// <summary>Open connections of one non-root uid.</summary>
    public const int MaxConnectionsPerUid = 32;

    /// <summary>Open connections of root. Root could stop the daemon anyway; its bound only guards against a runaway
    /// root program exhausting the daemon's file descriptors, and is high enough that root's own tools always get in.</summary>
    public const int MaxRootConnections = 1024;

    /// <summary>Open connections of all non-root users together. Root is never counted here, so users filling the
    /// socket cannot lock the administrator out.</summary>
    public const int MaxConnections = 256;

    /// <summary>Requests of one connection read but not yet answered. At the bound the daemon stops reading that
    /// connection until an answer has been sent, so a client that never reads its replies stalls only itself.</summary>
    public const int MaxCallsInFlight = 64;

    /// <summary>Longest id string a request may use (ids are echoed whole in the answer, so they are bounded too).</summary>
    public const int MaxIdChars = 200;

    /// <summary>A send buffer grown past this by one large answer is dropped afterwards rather than kept per connection.</summary>
    public const int RetainedSendBufferBytes = 64 << 10;
}
