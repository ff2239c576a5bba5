using Distri.Core.SquashFs.Format;
using Distrid.FileSystem.Passthrough;
using Distrid.Fuse.Protocol;

namespace Distrid.FileSystem;

// OPEN and RELEASE, answered only when the session negotiated passthrough and a cache is attached: otherwise OPEN
// gets ENOSYS and the kernel sends no OPEN or RELEASE again for the connection (an open costs no round trip).
internal sealed partial class RoFileSystem
{
    private PassthroughOpens? _passthrough;

    /// <summary>Serves opens of cached files through passthrough from now on (before the session starts).</summary>
    public void UsePassthrough(PassthroughOpens opens) => Volatile.Write(ref _passthrough, opens);

    public int Open(ulong node, int flags, ref FuseOpenOut result)
    {
        if (Volatile.Read(ref _passthrough) is not { IsOff: false } passthrough)
        {
            return -Errno.ENOSYS;
        }

        if (node == NodeIds.Root || NodeIds.IsExchange(node))
        {
            result.OpenFlags = FuseOpenOut.KeepCache | FuseOpenOut.NoFlush;
            return 0;
        }

        var request = new OpenRequest(node, passthrough, ref result);
        return WithImage(node, ref request, static (fileSystem, in lease, ref request) =>
        {
            var inode = lease.Image.GetInode(lease.InodeRef);
            string? key = inode.Kind == FileKind.File ? fileSystem.Images.Get(lease.Slot)?.CacheKey : null;
            request.Opens.Open(request.Node, key, inode.InodeNumber, (long)inode.Size, ref request.Result);
            return 0;
        });
    }

    public void Release(ulong node, ulong fileHandle) => Volatile.Read(ref _passthrough)?.Release(node, fileHandle);

    private ref struct OpenRequest(ulong node, PassthroughOpens opens, ref FuseOpenOut result)
    {
        public readonly ulong Node = node;
        public readonly PassthroughOpens Opens = opens;
        public ref FuseOpenOut Result = ref result;
    }
}
