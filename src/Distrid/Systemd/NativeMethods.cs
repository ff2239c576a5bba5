using System.Runtime.InteropServices;

namespace Distrid.Systemd;

/// <summary>
/// The few libc calls the systemd protocols need and .NET does not offer: sendmsg(2) with SCM_RIGHTS (passing fds
/// to the fd store), memfd_create(2) (the restart state) and fcntl(2) (close-on-exec of inherited fds).
/// </summary>
internal static unsafe partial class NativeMethods
{
    public const int SolSocket = 1;
    public const int ScmRights = 1;
    public const int MsgNoSignal = 0x4000;
    public const int FSetFd = 2;
    public const int FdCloExec = 1;
    public const uint MfdCloExec = 1;
    public const int Eintr = 4;

    [StructLayout(LayoutKind.Sequential)]
    public struct IoVec
    {
        public void* Base;
        public nuint Length;
    }

    [StructLayout(LayoutKind.Sequential)]
    public struct MsgHdr
    {
        public void* Name;
        public uint NameLength;
        public IoVec* Iov;
        public nuint IovLength;
        public void* Control;
        public nuint ControlLength;
        public int Flags;
    }

    [LibraryImport("libc", EntryPoint = "sendmsg", SetLastError = true)]
    public static partial nint SendMsg(nint socket, MsgHdr* message, int flags);

    [LibraryImport("libc", EntryPoint = "memfd_create", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int MemfdCreate(string name, uint flags);

    [LibraryImport("libc", EntryPoint = "fcntl", SetLastError = true)]
    public static partial int Fcntl(int fd, int command, int argument);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    public static partial int Close(int fd);

    /// <summary>Marks an inherited descriptor close-on-exec, so programs the daemon starts do not inherit it.</summary>
    public static bool SetCloseOnExec(int fd) => Fcntl(fd, FSetFd, FdCloExec) == 0;
}
