using System.Runtime.InteropServices;
using Distrid.Fuse.Protocol;

namespace Distrid.Fuse.Session;

/// <summary>
/// The per-opcode handlers: parse the body, call the file system with spans and structs that live in the reply
/// buffer, and return the reply length or a negative errno. Nothing here allocates.
/// </summary>
internal static partial class RequestHandlers
{
    /// <summary>Longest symlink target the kernel accepts (PAGE_SIZE).</summary>
    private const int MaxLinkLength = 4096;

    public static int Lookup(ref RequestContext request)
    {
        if (!TryReadName(request.Body, out ReadOnlySpan<byte> name))
        {
            return -Errno.EIO;
        }

        Span<byte> space = request.Reply[..FuseEntryOut.Size];
        space.Clear();
        ref FuseEntryOut entry = ref MemoryMarshal.AsRef<FuseEntryOut>(space);
        int result = request.FileSystem.Lookup(request.Header.NodeId, name, ref entry);
        if (result == 0)
        {
            return entry.NodeId == 0 ? NegativeEntry(ref entry, request.Session.Options) : FuseEntryOut.Size;
        }

        return result == -Errno.ENOENT ? NegativeEntry(ref entry, request.Session.Options) : Failure(result);
    }

    public static int Forget(ref RequestContext request)
    {
        FuseForgetIn forget = MemoryMarshal.Read<FuseForgetIn>(request.Body);
        request.FileSystem.Forget(request.Header.NodeId, forget.NLookup);
        return OpcodeTable.NoReply;
    }

    public static int BatchForget(ref RequestContext request)
    {
        FuseBatchForgetIn batch = MemoryMarshal.Read<FuseBatchForgetIn>(request.Body);
        ReadOnlySpan<byte> items = request.Body[FuseBatchForgetIn.Size..];
        // A count larger than the body is malformed; forget what is really there and nothing more.
        int count = (int)Math.Min(batch.Count, (uint)(items.Length / FuseForgetOne.Size));
        for (int i = 0; i < count; i++)
        {
            FuseForgetOne one = MemoryMarshal.Read<FuseForgetOne>(items.Slice(i * FuseForgetOne.Size, FuseForgetOne.Size));
            request.FileSystem.Forget(one.NodeId, one.NLookup);
        }

        return OpcodeTable.NoReply;
    }

    public static int GetAttr(ref RequestContext request)
    {
        Span<byte> space = request.Reply[..FuseAttrOut.Size];
        space.Clear();
        int result = request.FileSystem.GetAttr(request.Header.NodeId, ref MemoryMarshal.AsRef<FuseAttrOut>(space));
        return result == 0 ? FuseAttrOut.Size : Failure(result);
    }

    public static int ReadLink(ref RequestContext request)
    {
        Span<byte> destination = request.Reply[..MaxLinkLength];
        int result = request.FileSystem.ReadLink(request.Header.NodeId, destination);
        return result < 0 ? Failure(result) : result <= destination.Length ? result : -Errno.EIO;
    }

    public static int StatFs(ref RequestContext request)
    {
        Span<byte> space = request.Reply[..FuseStatFs.Size];
        space.Clear();
        int result = request.FileSystem.StatFs(request.Header.NodeId, ref MemoryMarshal.AsRef<FuseStatFs>(space));
        return result == 0 ? FuseStatFs.Size : Failure(result);
    }

    public static int Access(ref RequestContext request)
    {
        FuseAccessIn access = MemoryMarshal.Read<FuseAccessIn>(request.Body);
        int result = request.FileSystem.Access(request.Header.NodeId, (int)access.Mask);
        return result == 0 ? 0 : Failure(result);
    }

    public static int Destroy(ref RequestContext request)
    {
        request.FileSystem.Destroy();
        return 0;
    }

    public static int Ignore(ref RequestContext request) => OpcodeTable.NoReply;

    public static int ReadOnlyFileSystem(ref RequestContext request) => -Errno.EROFS;

    /// <summary>
    /// Turns a miss into a cached negative entry (node id 0 + entry timeout) so the kernel stops asking, or a
    /// plain ENOENT when no timeout applies.
    /// </summary>
    private static int NegativeEntry(ref FuseEntryOut entry, FuseSessionOptions options)
    {
        TimeSpan timeout = entry.EntryValid != 0 || entry.EntryValidNsec != 0 ? entry.EntryTimeout : options.NegativeEntryTimeout;
        entry = default;
        if (timeout <= TimeSpan.Zero)
        {
            return -Errno.ENOENT;
        }

        entry.EntryTimeout = timeout;
        return FuseEntryOut.Size;
    }

    /// <summary>A file system result that is not a valid negative errno becomes EIO.</summary>
    private static int Failure(int result) => result is < 0 and > -512 ? result : -Errno.EIO;

    /// <summary>A NUL-terminated name at the start of <paramref name="body"/>; false when there is no NUL.</summary>
    private static bool TryReadName(ReadOnlySpan<byte> body, out ReadOnlySpan<byte> name)
    {
        int end = body.IndexOf((byte)0);
        name = end > 0 ? body[..end] : default;
        return end > 0;
    }
}
