using Distrid.Fuse.FileSystem;
using Distrid.Fuse.Interop;
using Distrid.Fuse.Protocol;

namespace Distrid.Fuse.Session;

/// <summary>
/// One request as a handler sees it: the parsed header, the body (extensions stripped, length already checked
/// against the opcode table), and the reply payload area (the reply buffer after the out header, or a ring entry's payload buffer).
/// </summary>
internal ref struct RequestContext
{
    public FuseSession Session;
    public IFuseFileSystem FileSystem;
    public FuseInHeader Header;
    public ReadOnlySpan<byte> Body;
    public Span<byte> Reply;
    public int Fd;
    public NativeBuffer ReplyBuffer;

    /// <summary>The io_uring entry the request came through, or null for a /dev/fuse read.</summary>
    public FuseUringWorker? Ring;
}

/// <summary>
/// Handles one request. Returns the reply payload length (&gt;= 0, payload already in <c>Reply</c>), a negative
/// errno, or <see cref="OpcodeTable.NoReply"/>.
/// </summary>
internal delegate int RequestHandler(ref RequestContext request);
