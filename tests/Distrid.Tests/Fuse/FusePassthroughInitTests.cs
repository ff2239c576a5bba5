using System.Buffers.Binary;
using Distrid.Fuse.Protocol;
using Distrid.Fuse.Session;

namespace Distrid.Tests.Fuse;

/// <summary>
/// INIT and passthrough, through <see cref="FakeKernel"/>: FUSE_PASSTHROUGH and max_stack_depth are answered only when
/// the session asks for passthrough and the kernel offers it; otherwise the session says passthrough is off and
/// refuses to register backing files, so the file system stays on READs.
/// </summary>
public sealed class FusePassthroughInitTests
{
    private const ulong Offered = 0x5fd73fffffbUL; // what a 6.18 kernel offers, FUSE_PASSTHROUGH (bit 37) included

    [Theory]
    [InlineData(true, true, 45u, true)]
    [InlineData(true, false, 45u, false)]
    [InlineData(false, true, 45u, false)]
    [InlineData(true, true, 39u, false)]
    public async Task Passthrough_is_negotiated_only_when_asked_for_and_offered(bool asked, bool offered, uint kernelMinor, bool expected)
    {
        using FakeKernel kernel = FakeKernel.Create();
        FuseSession session = kernel.Start(SampleTree.Create(), FakeKernel.Options with { UsePassthrough = asked });
        ulong flags = offered ? Offered : Offered & ~(ulong)FuseInitFlags.Passthrough;
        Assert.Equal(offered, (flags & (ulong)FuseInitFlags.Passthrough) != 0);

        (int error, byte[] reply) = kernel.Call(FuseOpcode.Init, 0, InitIn(kernelMinor, flags));

        Assert.Equal(0, error);
        ulong answered = BinaryPrimitives.ReadUInt32LittleEndian(reply.AsSpan(12)) | ((ulong)BinaryPrimitives.ReadUInt32LittleEndian(reply.AsSpan(32)) << 32);
        Assert.Equal(expected, (answered & (ulong)FuseInitFlags.Passthrough) != 0);
        Assert.Equal(expected ? 1u : 0u, BinaryPrimitives.ReadUInt32LittleEndian(reply.AsSpan(36))); // max_stack_depth
        await session.Initialized.WaitAsync(TimeSpan.FromSeconds(5), TestContext.Current.CancellationToken);
        Assert.Equal(expected, session.PassthroughEnabled);
        if (!expected)
        {
            Assert.Equal(-Errno.EPERM, session.OpenBackingFile(0));
        }
    }

    private static byte[] InitIn(uint minor, ulong flags)
    {
        var body = new byte[64];
        BinaryPrimitives.WriteUInt32LittleEndian(body, 7);
        BinaryPrimitives.WriteUInt32LittleEndian(body.AsSpan(4), minor);
        BinaryPrimitives.WriteUInt32LittleEndian(body.AsSpan(8), 131072);
        BinaryPrimitives.WriteUInt32LittleEndian(body.AsSpan(12), (uint)flags);
        BinaryPrimitives.WriteUInt32LittleEndian(body.AsSpan(16), (uint)(flags >> 32));
        return body;
    }
}
