using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace Distrid.Tests.JsonRpc;

/// <summary>
/// Opens Unix socket connections as another user without a helper process: the raw <c>setresuid</c> system call
/// changes the credentials of the calling thread only (glibc's wrapper would change every thread), so a dedicated
/// thread takes the effective uid, connects (SO_PEERCRED records the effective uid at connect time) and takes uid 0 back.
/// </summary>
internal static partial class OtherUid
{
    public const uint Nobody = 65534;

    public static List<Socket> Connect(string socketPath, int count, uint uid)
    {
        List<Socket>? sockets = null;
        Exception? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                SetEffectiveUid(uid);
                try
                {
                    sockets = [];
                    for (int i = 0; i < count; i++)
                    {
                        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                        socket.Connect(new UnixDomainSocketEndPoint(socketPath));
                        sockets.Add(socket);
                    }
                }
                finally
                {
                    SetEffectiveUid(0);
                }
            }
            catch (Exception e)
            {
                failure = e;
            }
        });
        thread.Start();
        thread.Join();
        return failure is null ? sockets! : throw new InvalidOperationException("cannot connect as uid " + uid, failure);
    }

    private static void SetEffectiveUid(uint uid)
    {
        long number = RuntimeInformation.ProcessArchitecture == System.Runtime.InteropServices.Architecture.Arm64 ? 147 : 117; // SYS_setresuid
        if (Syscall(number, -1, uid, -1) != 0)
        {
            throw new InvalidOperationException($"setresuid(-1, {uid}, -1) failed: errno {Marshal.GetLastPInvokeError()}");
        }
    }

    [LibraryImport("libc", EntryPoint = "syscall", SetLastError = true)]
    private static partial long Syscall(long number, long ruid, long euid, long suid);
}
