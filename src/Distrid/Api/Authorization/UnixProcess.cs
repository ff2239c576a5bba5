using System.Buffers.Binary;
using System.Net.Sockets;

namespace Distrid.Api.Authorization;

/// <summary>
/// A process as polkit's <c>unix-process</c> subject names it: pid plus its start time (field 22 of
/// /proc/PID/stat, so a recycled pid is never mistaken for the caller) plus the uid the kernel vouches for.
/// </summary>
internal readonly record struct UnixProcess(int Pid, ulong StartTime, uint Uid)
{
    private const int SolSocket = 1;
    private const int SoPeerCred = 17;

    /// <summary>The peer of an accepted Unix socket, from SO_PEERCRED (the kernel's record of who connected).</summary>
    public static UnixProcess FromPeer(Socket socket)
    {
        Span<byte> credentials = stackalloc byte[12];
        int length = socket.GetRawSocketOption(SolSocket, SoPeerCred, credentials);
        if (length < 12)
        {
            throw new SocketException((int)SocketError.InvalidArgument);
        }

        int pid = BinaryPrimitives.ReadInt32LittleEndian(credentials);
        uint uid = BinaryPrimitives.ReadUInt32LittleEndian(credentials[4..]);
        return new UnixProcess(pid, ProcStat.ReadStartTime(pid), uid);
    }

    public override string ToString() => $"pid {Pid} (uid {Uid})";
}
