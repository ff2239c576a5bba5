using System.Runtime.InteropServices;
using Distrid.Fuse.Interop;

namespace Distrid.Tests.Systemd;

/// <summary>
/// Receiving several descriptors in one datagram (SCM_RIGHTS) for the systemd stand-in, on Distrid.Fuse's own libc
/// bindings (the daemon only ever receives one descriptor, so this multi-descriptor walk lives with the test).
/// </summary>
internal static unsafe class NotifyNative
{
    private const int MsgCmsgCloexec = 0x40000000;
    private const int ControlSize = 512;

    public static int Dup(int fd) => Libc.Dup(fd);

    public static int Close(int fd) => Libc.Close(fd);

    /// <summary>
    /// Receives one datagram and the descriptors it carries (close-on-exec in this process). Returns the payload
    /// length, or -errno (EAGAIN when the receive timeout passed).
    /// </summary>
    public static int Receive(nint socket, byte[] payload, List<int> fds)
    {
        byte* control = stackalloc byte[ControlSize];
        fixed (byte* data = payload)
        {
            var iov = new Libc.IoVec { Base = data, Length = (nuint)payload.Length };
            var message = new Libc.MsgHdr { Iov = &iov, IovLength = 1, Control = control, ControlLength = ControlSize };
            nint n = Libc.RecvMsg((int)socket, &message, MsgCmsgCloexec);
            if (n < 0)
            {
                return -Marshal.GetLastPInvokeError();
            }

            // Walk the cmsghdrs: size_t len, int level, int type, data; each padded to 8 bytes.
            nuint offset = 0;
            int header = sizeof(nuint) + 8;
            while (offset + (nuint)header <= message.ControlLength)
            {
                nuint length = *(nuint*)(control + offset);
                int level = *(int*)(control + offset + (nuint)sizeof(nuint));
                int type = *(int*)(control + offset + (nuint)sizeof(nuint) + 4);
                if (length < (nuint)header)
                {
                    break;
                }

                if (level == Libc.SolSocket && type == Libc.ScmRights)
                {
                    int count = (int)(length - (nuint)header) / sizeof(int);
                    for (int i = 0; i < count; i++)
                    {
                        fds.Add(*(int*)(control + offset + (nuint)header + (nuint)(i * sizeof(int))));
                    }
                }

                offset += (length + 7) & ~(nuint)7;
            }

            return (int)n;
        }
    }
}
