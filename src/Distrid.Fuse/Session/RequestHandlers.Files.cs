using System.Runtime.InteropServices;
using Distrid.Fuse.FileSystem;
using Distrid.Fuse.Protocol;

namespace Distrid.Fuse.Session;

// OPEN/READ/RELEASE and their directory twins. Payloads are written straight into the reply buffer.
internal static partial class RequestHandlers
{
    public static int Open(ref RequestContext request) => OpenCore(ref request, directory: false);

    public static int OpenDirectory(ref RequestContext request) => OpenCore(ref request, directory: true);

    public static int Read(ref RequestContext request)
    {
        FuseReadIn read = MemoryMarshal.Read<FuseReadIn>(request.Body);
        if (read.Offset > long.MaxValue)
        {
            return -Errno.EINVAL;
        }

        Span<byte> destination = request.Reply[..(int)Math.Min(read.Length, (uint)request.Reply.Length)];
        int result = request.FileSystem.Read(request.Header.NodeId, read.FileHandle, (long)read.Offset, destination);
        return result < 0 ? Failure(result) : result <= destination.Length ? result : -Errno.EIO;
    }

    public static int ReadDirectory(ref RequestContext request) => ReadDirectoryCore(ref request, plus: false);

    public static int ReadDirectoryPlus(ref RequestContext request) => ReadDirectoryCore(ref request, plus: true);

    public static int Release(ref RequestContext request)
    {
        FuseReleaseIn release = MemoryMarshal.Read<FuseReleaseIn>(request.Body);
        request.FileSystem.Release(request.Header.NodeId, release.FileHandle);
        return 0;
    }

    public static int ReleaseDirectory(ref RequestContext request)
    {
        FuseReleaseIn release = MemoryMarshal.Read<FuseReleaseIn>(request.Body);
        request.FileSystem.ReleaseDirectory(request.Header.NodeId, release.FileHandle);
        return 0;
    }

    private static int OpenCore(ref RequestContext request, bool directory)
    {
        FuseOpenIn open = MemoryMarshal.Read<FuseOpenIn>(request.Body);
        Span<byte> space = request.Reply[..FuseOpenOut.Size];
        space.Clear();
        ref FuseOpenOut result = ref MemoryMarshal.AsRef<FuseOpenOut>(space);
        int status = directory
            ? request.FileSystem.OpenDirectory(request.Header.NodeId, (int)open.Flags, ref result)
            : request.FileSystem.Open(request.Header.NodeId, (int)open.Flags, ref result);
        return status == 0 ? FuseOpenOut.Size : Failure(status);
    }

    private static int ReadDirectoryCore(ref RequestContext request, bool plus)
    {
        FuseReadIn read = MemoryMarshal.Read<FuseReadIn>(request.Body);
        if (read.Offset > long.MaxValue)
        {
            return -Errno.EINVAL;
        }

        var writer = new FuseDirectoryWriter(request.Reply[..(int)Math.Min(read.Length, (uint)request.Reply.Length)], plus);
        int result = request.FileSystem.ReadDirectory(request.Header.NodeId, read.FileHandle, (long)read.Offset, ref writer);
        return result == 0 ? writer.Length : Failure(result);
    }
}
