using System.Net.Sockets;
using System.Text;
using Distrid.Fuse.Interop;

namespace Distrid.Systemd;

/// <summary>
/// sd_notify(3) without libsystemd: one datagram to $NOTIFY_SOCKET (a path, or '@' for the abstract namespace),
/// optionally carrying descriptors (SCM_RIGHTS) for the fd store. Without NOTIFY_SOCKET every call is a no-op,
/// so the daemon behaves the same outside systemd.
/// </summary>
public sealed class SystemdNotifier : IDisposable
{
    /// <summary>systemd accepts up to 253 fds per message (SCM_MAX_FD); we never send more than a few.</summary>
    private const int MaxFdsPerMessage = 16;

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

    /// <summary>
    /// Sends <paramref name="state"/> with <paramref name="fds"/> attached (sd_pid_notify_with_fds), e.g.
    /// <c>FDSTORE=1\nFDNAME=fuse</c>. Returns false when there is no NOTIFY_SOCKET or the send failed: the caller
    /// then knows the descriptors are not stored.
    /// </summary>
    public bool NotifyWithFds(string state, ReadOnlySpan<int> fds)
    {
        if (_socket is null)
        {
            return false;
        }

        ArgumentOutOfRangeException.ThrowIfGreaterThan(fds.Length, MaxFdsPerMessage);
        byte[] payload = Encoding.UTF8.GetBytes(state);

        // A connected socket of our own: sendmsg then needs no sockaddr, and the datagram is atomic with its fds.
        using var socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        try
        {
            socket.Connect(_endpoint!);
        }
        catch (SocketException)
        {
            return false;
        }

        return FdPassing.Send(socket.Handle, payload, fds);
    }

    public void Dispose() => _socket?.Dispose();
}
