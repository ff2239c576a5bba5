using System.Buffers.Binary;
using System.Runtime.InteropServices;
using Distrid.Fuse.Protocol;
using Distrid.Fuse.Session;

namespace Distrid.Tests.Fuse;

/// <summary>The session's wire behaviour, driven through <see cref="FakeKernel"/> (no root needed).</summary>
public sealed class FuseProtocolTests
{
    [Fact]
    public async Task Init_negotiates_minor_flags_and_limits_and_completes_Initialized()
    {
        using FakeKernel kernel = FakeKernel.Create();
        FuseSession session = kernel.Start(SampleTree.Create());
        const ulong offered = 0x5fd73fffffbUL | (1UL << 42); // what a 6.18 kernel offers, plus REQUEST_TIMEOUT

        (int error, byte[] reply) = kernel.Call(FuseOpcode.Init, 0, InitIn(7, 45, 131072, offered));

        Assert.Equal(0, error);
        Assert.Equal(64, reply.Length);
        Assert.Equal(7u, U32(reply, 0));
        Assert.Equal(45u, U32(reply, 4));
        Assert.Equal(131072u, U32(reply, 8));
        ulong flags = U32(reply, 12) | ((ulong)U32(reply, 32) << 32);
        Assert.Equal(offered & (ulong)InitHandler.Wanted, flags);
        Assert.True((flags & (ulong)FuseInitFlags.MaxPages) != 0 && (flags & (ulong)FuseInitFlags.InitExt) != 0);
        Assert.Equal(0UL, flags & (ulong)(FuseInitFlags.RequestTimeout | FuseInitFlags.AutoInvalData | FuseInitFlags.WritebackCache));
        Assert.Equal((ushort)64, BinaryPrimitives.ReadUInt16LittleEndian(reply.AsSpan(16)));
        Assert.Equal((ushort)48, BinaryPrimitives.ReadUInt16LittleEndian(reply.AsSpan(18)));
        Assert.Equal(1u << 20, U32(reply, 20));
        Assert.Equal(1u, U32(reply, 24));
        Assert.Equal((ushort)256, BinaryPrimitives.ReadUInt16LittleEndian(reply.AsSpan(28)));

        FuseInitResult result = await session.Initialized.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(45u, result.Minor);
        Assert.True(result.SupportsResend);
        Assert.Equal(result, session.InitResult);
    }

    [Fact]
    public async Task A_newer_major_gets_our_version_and_a_second_init_is_answered()
    {
        using FakeKernel kernel = FakeKernel.Create();
        FuseSession session = kernel.Start(SampleTree.Create());

        (int error, byte[] reply) = kernel.Call(FuseOpcode.Init, 0, InitIn(8, 1, 131072, 0));
        Assert.Equal(0, error);
        Assert.Equal(7u, U32(reply, 0));
        Assert.False(session.Initialized.IsCompleted);

        (error, reply) = kernel.Call(FuseOpcode.Init, 0, InitIn(7, 50, 65536, (ulong)FuseInitFlags.AsyncRead));
        Assert.Equal(0, error);
        Assert.Equal(45u, U32(reply, 4));
        Assert.Equal((uint)FuseInitFlags.AsyncRead, U32(reply, 12));
        Assert.Equal(0, BinaryPrimitives.ReadUInt16LittleEndian(reply.AsSpan(28))); // no MAX_PAGES offered
        await session.Initialized.WaitAsync(TimeSpan.FromSeconds(5));
    }

    [Fact]
    public void Resume_sends_NOTIFY_RESEND_first()
    {
        using FakeKernel kernel = FakeKernel.Create();
        kernel.Resume(SampleTree.Create(), FakeKernel.Negotiated(resend: true));

        (ulong unique, int code, byte[] payload) = kernel.Receive();
        Assert.Equal(0UL, unique);
        Assert.Equal((int)FuseNotifyCode.Resend, code);
        Assert.Empty(payload);
    }

    [Fact]
    public void Unknown_opcodes_get_ENOSYS_and_short_bodies_get_EIO_before_any_handler()
    {
        using FakeKernel kernel = FakeKernel.Create();
        MemoryFileSystem fs = SampleTree.Create();
        FuseSession session = kernel.Resume(fs, FakeKernel.Negotiated());

        Assert.Equal(-Errno.ENOSYS, kernel.Call((FuseOpcode)99, 1, []).Error);
        Assert.Equal(-Errno.ENOSYS, kernel.Call((FuseOpcode)4096, 1, []).Error);
        Assert.Equal(-Errno.EIO, kernel.Call(FuseOpcode.Read, 3, new byte[8]).Error);
        Assert.Equal(-Errno.EIO, kernel.Call(FuseOpcode.Lookup, 1, "no-terminator"u8).Error);

        ulong lying = kernel.Send((uint)FuseOpcode.GetAttr, 1, new byte[16], declaredLength: 4000);
        (ulong unique, int error, _) = kernel.Receive();
        Assert.Equal((lying, -Errno.EIO), (unique, error));

        kernel.SendRaw(new byte[12]); // not even a header: dropped without a reply
        Assert.Equal(0, kernel.Call(FuseOpcode.GetAttr, 1, new byte[16]).Error);
        Assert.Equal(3, session.Statistics.MalformedRequests);
        Assert.Equal(0, session.Statistics.HandlerFailures);
    }

    [Theory]
    [InlineData(FuseOpcode.Write)]
    [InlineData(FuseOpcode.MkDir)]
    [InlineData(FuseOpcode.Unlink)]
    [InlineData(FuseOpcode.Create)]
    [InlineData(FuseOpcode.SetAttr)]
    [InlineData(FuseOpcode.SetXattr)]
    [InlineData(FuseOpcode.Rename2)]
    public void Mutating_opcodes_get_EROFS(FuseOpcode opcode)
    {
        using FakeKernel kernel = FakeKernel.Create();
        kernel.Resume(SampleTree.Create(), FakeKernel.Negotiated());
        Assert.Equal(-Errno.EROFS, kernel.Call(opcode, 1, new byte[64]).Error);
    }

    [Theory]
    [InlineData(FuseOpcode.Flush)]
    [InlineData(FuseOpcode.LSeek)]
    [InlineData(FuseOpcode.Statx)]
    [InlineData(FuseOpcode.Interrupt)]
    [InlineData(FuseOpcode.Open)]
    [InlineData(FuseOpcode.OpenDir)]
    [InlineData(FuseOpcode.Fsync)]
    [InlineData(FuseOpcode.Ioctl)]
    public void Opcodes_the_kernel_should_stop_sending_get_ENOSYS(FuseOpcode opcode)
    {
        using FakeKernel kernel = FakeKernel.Create();
        kernel.Resume(SampleTree.Create(), FakeKernel.Negotiated());
        Assert.Equal(-Errno.ENOSYS, kernel.Call(opcode, 2, new byte[64]).Error);
    }

    [Fact]
    public void Forgets_are_never_answered_and_a_lying_batch_count_is_bounded_by_the_body()
    {
        using FakeKernel kernel = FakeKernel.Create();
        MemoryFileSystem fs = SampleTree.Create();
        kernel.Resume(fs, FakeKernel.Negotiated());

        var forget = new byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(forget, 1);
        kernel.Send((uint)FuseOpcode.Forget, 2, forget);
        var batch = new byte[8 + 32];
        BinaryPrimitives.WriteUInt32LittleEndian(batch, 1000); // claims 1000 entries, carries 2
        BinaryPrimitives.WriteUInt64LittleEndian(batch.AsSpan(8), 2);
        BinaryPrimitives.WriteUInt64LittleEndian(batch.AsSpan(16), 1);
        BinaryPrimitives.WriteUInt64LittleEndian(batch.AsSpan(24), 3);
        BinaryPrimitives.WriteUInt64LittleEndian(batch.AsSpan(32), 1);
        kernel.Send((uint)FuseOpcode.BatchForget, 0, batch);
        kernel.Send((uint)FuseOpcode.NotifyReply, 0, []);

        Assert.Equal(0, kernel.Call(FuseOpcode.StatFs, 1, []).Error); // the next reply is this one's
        Assert.Equal(3, fs.Forgets);
    }

    [Fact]
    public void A_missing_name_becomes_a_cached_negative_entry()
    {
        using FakeKernel kernel = FakeKernel.Create();
        kernel.Resume(SampleTree.Create(), FakeKernel.Negotiated());

        (int error, byte[] reply) = kernel.Call(FuseOpcode.Lookup, 1, FakeKernel.Name("missing"));
        Assert.Equal(0, error);
        FuseEntryOut entry = MemoryMarshal.Read<FuseEntryOut>(reply);
        Assert.Equal(0UL, entry.NodeId);
        Assert.Equal(TimeSpan.FromHours(1), entry.EntryTimeout);

        (error, reply) = kernel.Call(FuseOpcode.Lookup, 1, FakeKernel.Name("hello.txt"));
        Assert.Equal(0, error);
        entry = MemoryMarshal.Read<FuseEntryOut>(reply);
        Assert.NotEqual(0UL, entry.NodeId);
        Assert.Equal((ulong)SampleTree.HelloText.Length, entry.Attr.Length);
        Assert.Equal(FuseTimeout.Immutable, entry.AttrTimeout);
    }

    [Fact]
    public void Getxattr_answers_the_size_probe_the_value_and_ERANGE()
    {
        using FakeKernel kernel = FakeKernel.Create();
        kernel.Resume(SampleTree.Create(), FakeKernel.Negotiated());
        ulong hello = MemoryMarshal.Read<FuseEntryOut>(kernel.Call(FuseOpcode.Lookup, 1, FakeKernel.Name("hello.txt")).Payload).NodeId;

        (int error, byte[] reply) = kernel.Call(FuseOpcode.GetXattr, hello, XattrIn(0, "user.origin"));
        Assert.Equal((0, 8, 6u), (error, reply.Length, U32(reply, 0)));
        (error, reply) = kernel.Call(FuseOpcode.GetXattr, hello, XattrIn(64, "user.origin"));
        Assert.Equal((0, "memory"), (error, System.Text.Encoding.UTF8.GetString(reply)));
        Assert.Equal(-Errno.ERANGE, kernel.Call(FuseOpcode.GetXattr, hello, XattrIn(3, "user.origin")).Error);
        Assert.Equal(-Errno.ENODATA, kernel.Call(FuseOpcode.GetXattr, hello, XattrIn(64, "user.none")).Error);
        (error, reply) = kernel.Call(FuseOpcode.ListXattr, hello, XattrIn(0, null));
        Assert.Equal((0, (uint)"user.origin\0user.empty\0".Length), (error, U32(reply, 0)));
    }

    [Fact]
    public void Readdirplus_packs_whole_records_up_to_the_requested_size_and_resumes_at_the_cookie()
    {
        using FakeKernel kernel = FakeKernel.Create();
        kernel.Resume(SampleTree.Create(), FakeKernel.Negotiated());

        (int error, byte[] first) = kernel.Call(FuseOpcode.ReadDirPlus, 1, FakeKernel.ReadIn(0, 400));
        Assert.Equal(0, error);
        Assert.Equal(2, CountRecords(first, plus: true, out long lastCookie)); // two 160-byte records fit in 400
        (error, byte[] rest) = kernel.Call(FuseOpcode.ReadDirPlus, 1, FakeKernel.ReadIn((ulong)lastCookie, 4096));
        Assert.Equal(0, error);
        Assert.Equal(5, CountRecords(rest, plus: true, out lastCookie));
        (error, byte[] end) = kernel.Call(FuseOpcode.ReadDirPlus, 1, FakeKernel.ReadIn((ulong)lastCookie, 4096));
        Assert.Equal((0, 0), (error, end.Length));
        (error, byte[] plain) = kernel.Call(FuseOpcode.ReadDir, 1, FakeKernel.ReadIn(0, 4096));
        Assert.Equal(7, CountRecords(plain, plus: false, out _));
    }

    [Fact]
    public void The_reader_thread_allocates_nothing_per_request()
    {
        using FakeKernel kernel = FakeKernel.Create();
        FuseSession session = kernel.Resume(SampleTree.Create(), FakeKernel.Negotiated());
        ulong big = MemoryMarshal.Read<FuseEntryOut>(kernel.Call(FuseOpcode.Lookup, 1, FakeKernel.Name("big.bin")).Payload).NodeId;
        ulong hello = MemoryMarshal.Read<FuseEntryOut>(kernel.Call(FuseOpcode.Lookup, 1, FakeKernel.Name("hello.txt")).Payload).NodeId;
        byte[] lookup = FakeKernel.Name("dir");
        byte[] missing = FakeKernel.Name("missing");
        // 64 KiB: a SOCK_SEQPACKET message cannot carry the 1 MiB the real device can.
        byte[] read = FakeKernel.ReadIn(1 << 20, 1 << 16);
        byte[] list = FakeKernel.ReadIn(0, 4096);
        byte[] xattr = XattrIn(64, "user.origin");

        void Round()
        {
            kernel.Call(FuseOpcode.Lookup, 1, lookup);
            kernel.Call(FuseOpcode.Lookup, 1, missing);
            kernel.Call(FuseOpcode.GetAttr, big, new byte[16]);
            kernel.Call(FuseOpcode.Read, big, read);
            kernel.Call(FuseOpcode.ReadDirPlus, 1, list);
            kernel.Call(FuseOpcode.GetXattr, hello, xattr);
            kernel.Call(FuseOpcode.Write, hello, read);
            kernel.Call((FuseOpcode)99, hello, []);
        }

        for (int i = 0; i < 50; i++)
        {
            Round();
        }

        long before = session.ReaderAllocatedBytes;
        for (int i = 0; i < 200; i++)
        {
            Round();
        }

        Assert.Equal(before, session.ReaderAllocatedBytes);
        Assert.True(session.Statistics[FuseOpcode.Read] >= 250);
    }

    [Fact]
    public void A_throwing_file_system_gets_EIO_and_the_session_keeps_serving()
    {
        using FakeKernel kernel = FakeKernel.Create();
        MemoryFileSystem fs = SampleTree.Create();
        FuseSession session = kernel.Resume(fs, FakeKernel.Negotiated());

        Assert.Equal(-Errno.ENOENT, kernel.Call(FuseOpcode.Read, 999, FakeKernel.ReadIn(0, 10)).Error);
        fs.ThrowOnNextRead = true;
        Assert.Equal(-Errno.EIO, kernel.Call(FuseOpcode.Read, 2, FakeKernel.ReadIn(0, 10)).Error);
        Assert.Equal(1, session.Statistics.HandlerFailures);
        Assert.Equal(0, kernel.Call(FuseOpcode.GetAttr, 1, new byte[16]).Error);
    }

    private static byte[] InitIn(uint major, uint minor, uint readahead, ulong flags)
    {
        var body = new byte[64];
        BinaryPrimitives.WriteUInt32LittleEndian(body, major);
        BinaryPrimitives.WriteUInt32LittleEndian(body.AsSpan(4), minor);
        BinaryPrimitives.WriteUInt32LittleEndian(body.AsSpan(8), readahead);
        BinaryPrimitives.WriteUInt32LittleEndian(body.AsSpan(12), (uint)flags);
        BinaryPrimitives.WriteUInt32LittleEndian(body.AsSpan(16), (uint)(flags >> 32));
        return body;
    }

    private static byte[] XattrIn(uint size, string? name)
    {
        byte[] nameBytes = name is null ? [] : FakeKernel.Name(name);
        var body = new byte[8 + nameBytes.Length];
        BinaryPrimitives.WriteUInt32LittleEndian(body, size);
        nameBytes.CopyTo(body, 8);
        return body;
    }

    private static int CountRecords(byte[] data, bool plus, out long lastCookie)
    {
        int count = 0;
        int position = 0;
        lastCookie = 0;
        int prefix = plus ? FuseEntryOut.Size : 0;
        while (position < data.Length)
        {
            ReadOnlySpan<byte> dirent = data.AsSpan(position + prefix);
            lastCookie = BinaryPrimitives.ReadInt64LittleEndian(dirent[8..]);
            int nameLength = (int)BinaryPrimitives.ReadUInt32LittleEndian(dirent[16..]);
            position += (prefix + 24 + nameLength + 7) & ~7;
            count++;
        }

        Assert.Equal(data.Length, position);
        return count;
    }

    private static uint U32(byte[] data, int offset) => BinaryPrimitives.ReadUInt32LittleEndian(data.AsSpan(offset));
}
