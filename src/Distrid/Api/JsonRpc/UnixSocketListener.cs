using System.Net.Sockets;
using Distrid.Hosting;

namespace Distrid.Api.JsonRpc;

/// <summary>Binds the API socket: replaces a stale socket file left by a dead daemon, refuses a live one.</summary>
internal static class UnixSocketListener
{
    /// <summary>
    /// The listening socket systemd passed (<paramref name="inheritedFd"/> &gt;= 0, socket activation; its path
    /// belongs to the socket unit), else a socket bound at <paramref name="path"/> (ours to remove on stop).
    /// </summary>
    public static Socket AdoptOrBind(int inheritedFd, string path, out bool ownsPath)
    {
        ownsPath = inheritedFd < 0;
        return inheritedFd >= 0 ? new Socket(new SafeSocketHandle(inheritedFd, ownsHandle: true)) : Bind(path);
    }

    public static Socket Bind(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        if (File.Exists(path))
        {
            if (IsServed(path))
            {
                throw new DaemonStartException($"{path} is served by another daemon");
            }

            File.Delete(path);
        }

        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            socket.Bind(new UnixDomainSocketEndPoint(path));
            // World-connectable: queries are open to every user; mutating calls are authorized per caller.
            File.SetUnixFileMode(path, (UnixFileMode)0b110_110_110);
            socket.Listen(64);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    public static void Remove(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
        }
    }

    private static bool IsServed(string path)
    {
        using var probe = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            probe.Connect(new UnixDomainSocketEndPoint(path));
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
