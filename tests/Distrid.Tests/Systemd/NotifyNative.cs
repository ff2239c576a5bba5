using System.Runtime.InteropServices;

namespace Distrid.Tests.Systemd;

/// <summary>recvmsg(2) with SCM_RIGHTS for the systemd stand-in (the test's own interop, not the daemon's).</summary>
internal static unsafe partial class NotifyNative
{
    private const int SolSocket = 1;
    private const int ScmRights = 1;
    private const int MsgCmsgCloexec = 0x40000000;
    private const int ControlSize = 512;

    [StructLayout(LayoutKind.Sequential)]
    private struct IoVec
    {
        public void* Base;
        public nuint Length;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct MsgHdr
    {
        public void* Name;
        public uint NameLength;
        public IoVec* Iov;
        public nuint IovLength;
        public void* Control;
        public nuint ControlLength;
        public int Flags;
    }

    [LibraryImport("libc", EntryPoint = "recvmsg", SetLastError = true)]
    private static partial nint RecvMsg(nint socket, MsgHdr* message, int flags);

    [LibraryImport("libc", EntryPoint = "dup")]
    public static partial int Dup(int fd);

    [LibraryImport("libc", EntryPoint = "close")]
    public static partial int Close(int fd);

    /// <summary>
    /// Receives one datagram and the descriptors it carries (close-on-exec in this process). Returns the payload
    /// length, or -errno (EAGAIN when the receive timeout passed).
    /// </summary>
    public static int Receive(nint socket, byte[] payload, List<int> fds)
    {
        byte* control = stackalloc byte[ControlSize];
        fixed (byte* data = payload)
        {
            var iov = new IoVec { Base = data, Length = (nuint)payload.Length };
            var message = new MsgHdr { Iov = &iov, IovLength = 1, Control = control, ControlLength = ControlSize };
            nint n = RecvMsg(socket, &message, MsgCmsgCloexec);
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

                if (level == SolSocket && type == ScmRights)
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
