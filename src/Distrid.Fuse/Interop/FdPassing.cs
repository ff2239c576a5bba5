using System.Runtime.InteropServices;
using Distrid.Fuse.Protocol;

namespace Distrid.Fuse.Interop;

/// <summary>socketpair(2) and SCM_RIGHTS reception: how fusermount3 hands a mounted /dev/fuse fd back.</summary>
internal static unsafe class FdPassing
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

    public static void Close(int fd)
    {
        if (fd >= 0)
        {
            Libc.Close(fd);
        }
    }
}
