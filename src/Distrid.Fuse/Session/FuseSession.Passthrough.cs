using Distrid.Fuse.Interop;
using Distrid.Fuse.Protocol;

namespace Distrid.Fuse.Session;

// Passthrough (FUSE_PASSTHROUGH, 7.40): backing files registered on the connection, which OPEN replies name.
public sealed partial class FuseSession
{
    /// <summary>
    /// True once INIT negotiated FUSE_PASSTHROUGH (<see cref="FuseSessionOptions.UsePassthrough"/> and a kernel that
    /// offers it): OPEN may then answer <see cref="FuseOpenOut.Passthrough"/> with a backing id.
    /// </summary>
    public bool PassthroughEnabled => _isInitialized && (_initResult.Flags & FuseInitFlags.Passthrough) != 0;

    /// <summary>
    /// Registers an open, read-only file as a backing file of this connection and returns its backing id (at least
    /// 1), or a negative errno (EPERM, ELOOP, ENOTTY, ...). The kernel holds its own reference: the caller closes
    /// <paramref name="fileFd"/> when it likes. Ids belong to the connection; drop them with
    /// <see cref="CloseBackingFile"/> (files already opened through one keep their backing file).
    /// </summary>
    public int OpenBackingFile(int fileFd) =>
        PassthroughEnabled ? FuseDevice.OpenBacking(Mount.DeviceFd, fileFd) : -Errno.EPERM;

    /// <summary>Drops a backing id from <see cref="OpenBackingFile"/>; returns 0 or a negative errno.</summary>
    public int CloseBackingFile(int backingId) => FuseDevice.CloseBacking(Mount.DeviceFd, backingId);
}
