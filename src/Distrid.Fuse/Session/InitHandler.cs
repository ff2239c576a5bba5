using System.Buffers.Binary;
using System.Runtime.InteropServices;
using Distrid.Fuse.Protocol;

namespace Distrid.Fuse.Session;

/// <summary>
/// INIT negotiation: major 7, minor = min(kernel, ours), and the capability set a read-only server of immutable
/// data wants. Writes its own reply so the session can signal readiness only after the kernel has it.
/// </summary>
internal static class InitHandler
{
    /// <summary>
    /// What we ask for. Not REQUEST_TIMEOUT: it would abort the connection while a daemon restarts. Not
    /// AUTO_INVAL_DATA: invalidation is explicit. Not WRITEBACK_CACHE. PASSTHROUGH only with
    /// <see cref="FuseSessionOptions.UsePassthrough"/>. OVER_IO_URING is added by
    /// <see cref="FuseSession.NegotiateUring"/> when offered, allowed and the rings exist.
    /// </summary>
    internal const FuseInitFlags Wanted =
        FuseInitFlags.AsyncRead | FuseInitFlags.DoReadDirPlus | FuseInitFlags.ReadDirPlusAuto |
        FuseInitFlags.ParallelDirOps | FuseInitFlags.MaxPages | FuseInitFlags.CacheSymlinks |
        FuseInitFlags.ExplicitInvalData | FuseInitFlags.InitExt;

    private const uint PageSize = 4096;

    /// <summary>
    /// max_stack_depth with passthrough: backing files must lie on a file system of depth 0 (ext4, xfs, btrfs,
    /// tmpfs; not overlayfs), and /ro itself counts as depth 1, so an overlay may still be stacked on top of it.
    /// </summary>
    internal const uint PassthroughStackDepth = 1;

    public static int Handle(ref RequestContext request)
    {
        ReadOnlySpan<byte> body = request.Body;
        uint major = BinaryPrimitives.ReadUInt32LittleEndian(body);
        uint kernelMinor = BinaryPrimitives.ReadUInt32LittleEndian(body[4..]);
        uint kernelReadahead = body.Length >= 12 ? BinaryPrimitives.ReadUInt32LittleEndian(body[8..]) : 0;
        ulong offered = body.Length >= 16 ? BinaryPrimitives.ReadUInt32LittleEndian(body[12..]) : 0;
        if ((offered & (ulong)FuseInitFlags.InitExt) != 0 && body.Length >= 20)
        {
            offered |= (ulong)BinaryPrimitives.ReadUInt32LittleEndian(body[16..]) << 32;
        }

        if (major < 7)
        {
            return -Errno.EPROTO;
        }

        FuseSessionOptions options = request.Session.Options;
        Span<byte> space = request.Reply[..FuseInitOut.Size];
        space.Clear();
        ref FuseInitOut reply = ref MemoryMarshal.AsRef<FuseInitOut>(space);
        reply.Major = 7;
        reply.Minor = options.MaxMinor;
        if (major > 7)
        {
            // A newer kernel: state our version; it answers with a second INIT at major 7.
            request.Session.SendReply(ref request, FuseInitOut.Size);
            return OpcodeTable.NoReply;
        }

        uint minor = Math.Min(kernelMinor, options.MaxMinor);
        var flags = (FuseInitFlags)(offered & (ulong)Wanted) | request.Session.NegotiateUring(offered);
        bool passthrough = options.UsePassthrough && minor >= 40 && (offered & (ulong)FuseInitFlags.Passthrough) != 0;
        if (passthrough)
        {
            flags |= FuseInitFlags.Passthrough;
            reply.MaxStackDepth = PassthroughStackDepth;
        }

        ushort maxPages = (flags & FuseInitFlags.MaxPages) != 0 ? options.MaxPages : (ushort)0;
        uint maxWrite = Math.Max(maxPages, (ushort)32) * PageSize;
        uint readahead = Math.Min(options.MaxReadahead ?? kernelReadahead, kernelReadahead);

        reply.Minor = minor;
        reply.MaxReadahead = readahead;
        reply.Flags = (uint)((ulong)flags & 0xFFFF_FFFF);
        reply.Flags2 = (uint)((ulong)flags >> 32);
        reply.MaxBackground = options.MaxBackground;
        reply.CongestionThreshold = options.CongestionThreshold;
        reply.MaxWrite = maxWrite;
        reply.TimeGran = 1;
        reply.MaxPages = maxPages;

        var result = new FuseInitResult(7, minor, readahead, (FuseInitFlags)offered, flags, maxWrite, maxPages,
            options.MaxBackground, options.CongestionThreshold, 1);
        int length = minor < 23 ? FuseInitOut.CompatSize : FuseInitOut.Size;
        int status = request.Session.SendReply(ref request, length);
        request.Session.OnInitialized(result, status);
        return OpcodeTable.NoReply;
    }
}
