using System.Runtime.InteropServices;
using Distrid.Fuse.Protocol;

namespace Distrid.Fuse.Interop;

/// <summary>
/// Passing descriptors over Unix sockets (SCM_RIGHTS): how fusermount3 hands a mounted /dev/fuse fd back, and how the
/// daemon hands it to systemd's fd store so the mount outlives the process.
/// </summary>
public static unsafe class FdPassing
{
    /// <summary>Creates a connected AF_UNIX pair; <paramref name="ours"/> is close-on-exec, the other is inheritable.</summary>
    public static void CreateSocketPair(out int ours, out int inheritable)
    {
        int* pair = stackalloc int[2];
        if (Libc.SocketPair(Libc.AfUnix, Libc.SockStream, 0, pair) != 0)
        {
            throw Errno.Exception(Marshal.GetLastPInvokeError(), "socketpair");
        }

        ours = pair[0];
        inheritable = pair[1];
        SetCloseOnExec(ours);
    }

    public static void SetCloseOnExec(int fd) => Libc.Fcntl(fd, Libc.FSetFd, Libc.FdCloExec);

    /// <summary>Receives one fd (SCM_RIGHTS, one-byte payload); returns -1 when the peer closed without one.</summary>
    public static int ReceiveFd(int socket)
    {
        byte payload = 0;
        // cmsghdr (16 bytes: size_t len, int level, int type) + one int, padded to 8.
        const int controlLength = 24;
        byte* control = stackalloc byte[controlLength];
        new Span<byte>(control, controlLength).Clear();
        Libc.IoVec iov = new() { Base = &payload, Length = 1 };
        Libc.MsgHdr message = new() { Iov = &iov, IovLength = 1, Control = control, ControlLength = controlLength };
        nint received;
        do
        {
            received = Libc.RecvMsg(socket, &message, 0);
        }
        while (received < 0 && Marshal.GetLastPInvokeError() == Errno.EINTR);

        if (received <= 0 || message.ControlLength < 20)
        {
            return -1;
        }

        int level = *(int*)(control + 8);
        int type = *(int*)(control + 12);
        return level == Libc.SolSocket && type == Libc.ScmRights ? *(int*)(control + 16) : -1;
    }

    /// <summary>
    /// Sends <paramref name="payload"/> as one message on the connected socket <paramref name="socket"/> with
    /// <paramref name="fds"/> attached (none: a plain message). True when the whole payload went out.
    /// </summary>
    public static bool Send(nint socket, ReadOnlySpan<byte> payload, ReadOnlySpan<int> fds)
    {
        // cmsghdr (size_t len, int level, int type), then the ints, the whole padded to 8 bytes.
        const int headerLength = 16;
        int dataLength = fds.Length * sizeof(int);
        int controlLength = fds.IsEmpty ? 0 : (headerLength + dataLength + 7) & ~7;
        byte* control = stackalloc byte[Math.Max(controlLength, 8)];
        new Span<byte>(control, Math.Max(controlLength, 8)).Clear();
        if (!fds.IsEmpty)
        {
            *(nuint*)control = (nuint)(headerLength + dataLength);
            *(int*)(control + 8) = Libc.SolSocket;
            *(int*)(control + 12) = Libc.ScmRights;
            fds.CopyTo(new Span<int>(control + headerLength, fds.Length));
        }

        fixed (byte* data = payload)
        {
            Libc.IoVec iov = new() { Base = data, Length = (nuint)payload.Length };
            Libc.MsgHdr message = new()
            {
                Iov = &iov,
                IovLength = 1,
                Control = fds.IsEmpty ? null : control,
                ControlLength = (nuint)controlLength,
            };
            nint sent;
            do
            {
                sent = Libc.SendMsg(socket, &message, Libc.MsgNoSignal);
            }
            while (sent < 0 && Marshal.GetLastPInvokeError() == Errno.EINTR);

            return sent == payload.Length;
        }
    }

    public static void Close(int fd)
    {
        if (fd >= 0)
        {
            Libc.Close(fd);
        }
    }
}
