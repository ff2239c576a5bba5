using System.Runtime.InteropServices;
using Distrid.Fuse.Protocol;

namespace Distrid.Fuse.Session;

// GETXATTR/LISTXATTR: the size probe (size 0), ERANGE, and ENOSYS for file systems without xattrs so the
// kernel stops asking for the whole connection.
internal static partial class RequestHandlers
{
    public static int GetExtendedAttribute(ref RequestContext request)
    {
        if (!request.FileSystem.HasExtendedAttributes)
        {
            return -Errno.ENOSYS;
        }

        FuseGetXattrIn get = MemoryMarshal.Read<FuseGetXattrIn>(request.Body);
        if (!TryReadName(request.Body[FuseGetXattrIn.Size..], out ReadOnlySpan<byte> name))
        {
            return -Errno.EIO;
        }

        return SizedReply(ref request, get.Length, request.FileSystem.GetExtendedAttribute(request.Header.NodeId, name, ValueSpace(ref request, get.Length)));
    }

    public static int ListExtendedAttributes(ref RequestContext request)
    {
        if (!request.FileSystem.HasExtendedAttributes)
        {
            return -Errno.ENOSYS;
        }

        FuseGetXattrIn list = MemoryMarshal.Read<FuseGetXattrIn>(request.Body);
        return SizedReply(ref request, list.Length, request.FileSystem.ListExtendedAttributes(request.Header.NodeId, ValueSpace(ref request, list.Length)));
    }

    /// <summary>The span the file system may fill: empty for a size probe, else at most the caller's size.</summary>
    private static Span<byte> ValueSpace(ref RequestContext request, uint requested) =>
        requested == 0 ? default : request.Reply[..(int)Math.Min(requested, (uint)request.Reply.Length)];

    private static int SizedReply(ref RequestContext request, uint requested, int fullLength)
    {
        if (fullLength < 0)
        {
            return Failure(fullLength);
        }

        if (requested == 0)
        {
            Span<byte> space = request.Reply[..FuseGetXattrOut.Size];
            space.Clear();
            MemoryMarshal.AsRef<FuseGetXattrOut>(space).Length = (uint)fullLength;
            return FuseGetXattrOut.Size;
        }

        return fullLength <= Math.Min(requested, (uint)request.Reply.Length) ? fullLength : -Errno.ERANGE;
    }
}
