using System.Runtime.InteropServices;

namespace Distrid.Systemd;

/// <summary>
/// memfd_create(2), which .NET does not offer: the restart state lives in an anonymous memory file that systemd's fd
/// store keeps. Descriptor passing (SCM_RIGHTS), close-on-exec and close come from <c>Distrid.Fuse.Interop.FdPassing</c>.
/// </summary>
internal static partial class NativeMethods
{
    public const uint MfdCloExec = 1;

    [LibraryImport("libc", EntryPoint = "memfd_create", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int MemfdCreate(string name, uint flags);
}
