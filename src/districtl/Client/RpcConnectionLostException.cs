namespace Districtl.Client;

/// <summary>The connection to the daemon ended (or broke) while a call waited for its answer.</summary>
internal sealed class RpcConnectionLostException(string message = RpcConnectionLostException.DefaultMessage, Exception? inner = null)
    : IOException(message, inner)
{
    public const string DefaultMessage = "the daemon closed the connection before answering";
}
