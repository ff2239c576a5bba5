namespace Distrid.Fuse.Protocol;

/// <summary>
/// The FUSE-over-io_uring ABI (protocol 7.42+): the commands sent as IORING_OP_URING_CMD on /dev/fuse, the
/// fuse_uring_cmd_req they carry in the SQE's command area, and the layout of a ring entry's header buffer
/// (struct fuse_uring_req_header: the in/out header, the opcode's own header, fuse_uring_ent_in_out).
/// </summary>
internal static class FuseUringLayout
{
    /// <summary>Registers an entry's buffers with a queue; completes when the first request is in them.</summary>
    public const uint CommandRegister = 1;

    /// <summary>Commits the reply in an entry's buffers and waits for the next request in the same entry.</summary>
    public const uint CommandCommitAndFetch = 2;

    /// <summary>Offset of cmd_op in the SQE (the low half of the off/addr2 union).</summary>
    public const int SqeCommandOp = 8;

    /// <summary>Offset of the 80-byte command area in an SQE128, where fuse_uring_cmd_req goes.</summary>
    public const int SqeCommandArea = 48;

    /// <summary>fuse_uring_cmd_req.commit_id: the unique of the request being answered.</summary>
    public const int CommandCommitId = SqeCommandArea + 8;

    /// <summary>fuse_uring_cmd_req.qid: the queue (CPU) the entry belongs to.</summary>
    public const int CommandQueueId = SqeCommandArea + 16;

    /// <summary>fuse_in_header on fetch, fuse_out_header on commit.</summary>
    public const int InOutHeader = 0;

    /// <summary>FUSE_URING_IN_OUT_HEADER_SZ.</summary>
    public const int InOutHeaderSize = 128;

    /// <summary>The request's first argument (its fixed per-opcode header, e.g. fuse_read_in), if any.</summary>
    public const int OpcodeHeader = InOutHeaderSize;

    /// <summary>FUSE_URING_OP_IN_OUT_SZ.</summary>
    public const int OpcodeHeaderSize = 128;

    /// <summary>fuse_uring_ent_in_out: flags, commit_id, payload_sz, padding, reserved.</summary>
    public const int EntryInOut = OpcodeHeader + OpcodeHeaderSize;

    /// <summary>fuse_uring_ent_in_out.payload_sz: bytes of the rest of the request, or of the reply, in the payload buffer.</summary>
    public const int PayloadSize = EntryInOut + 16;

    /// <summary>sizeof(struct fuse_uring_req_header).</summary>
    public const int HeaderBufferSize = EntryInOut + 32;
}
