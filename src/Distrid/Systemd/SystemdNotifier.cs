using System.Net.Sockets;
using System.Text;

namespace Distrid.Systemd;

/// <summary>
/// sd_notify(3) without libsystemd: one datagram to $NOTIFY_SOCKET (a path, or '@' for the abstract namespace).
/// Without NOTIFY_SOCKET every call is a no-op, so the daemon behaves the same outside systemd.
/// </summary>
public sealed class SystemdNotifier : IDisposable
{
    private readonly Socket? _socket;
    private readonly UnixDomainSocketEndPoint? _endpoint;

    public SystemdNotifier()
        : this(Environment.GetEnvironmentVariable("NOTIFY_SOCKET"))
    {
    }

    public SystemdNotifier(string? notifySocket)
    {
        if (string.IsNullOrEmpty(notifySocket))
        {
            return;
        }

        // The abstract namespace is spelled with a leading '@' in the variable and a leading NUL on the wire.
        _endpoint = new UnixDomainSocketEndPoint(notifySocket[0] == '@' ? "\0" + notifySocket[1..] : notifySocket);
        _socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
    }

    public bool IsEnabled => _socket is not null;

    /// <summary>Sends newline-separated assignments such as <c>READY=1\nSTATUS=serving</c>.</summary>
    public void Notify(string state)
    {
        if (_socket is null)
        {
            return;
        }

        try
        {
            _socket.SendTo(Encoding.UTF8.GetBytes(state), _endpoint!);
        }
        catch (SocketException)
        {
            // systemd went away or the socket is gone: notifications are advisory.
        }
    }

    public void Dispose() => _socket?.Dispose();
}
