using System.Net.Sockets;
using Distrid.Hosting;

namespace Distrid.Api.JsonRpc;

/// <summary>Binds the API socket: replaces a stale socket file left by a dead daemon, refuses a live one.</summary>
internal static class UnixSocketListener
{
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
