using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using Distrid.Fuse.FileSystem;
using Distrid.Fuse.Mounting;
using Distrid.Fuse.Protocol;
using Distrid.Fuse.Session;

namespace Distrid.Tests.Fuse;

/// <summary>Pure unit tests: ABI sizes, the dispatch table, the dirent writer, persistence, mountinfo parsing.</summary>
public sealed class FuseUnitTests
{
    [Fact]
    public void Abi_structs_have_the_kernel_sizes()
    {
        Assert.Equal(40, Unsafe.SizeOf<FuseInHeader>());
        Assert.Equal(16, Unsafe.SizeOf<FuseOutHeader>());
        Assert.Equal(88, Unsafe.SizeOf<FuseAttr>());
        Assert.Equal(128, Unsafe.SizeOf<FuseEntryOut>());
        Assert.Equal(104, Unsafe.SizeOf<FuseAttrOut>());
        Assert.Equal(16, Unsafe.SizeOf<FuseOpenOut>());
        Assert.Equal(80, Unsafe.SizeOf<FuseStatFs>());
        Assert.Equal(64, Unsafe.SizeOf<FuseInitOut>());
        Assert.Equal(40, Unsafe.SizeOf<FuseReadIn>());
        Assert.Equal(24, Unsafe.SizeOf<FuseReleaseIn>());
        Assert.Equal(24, Unsafe.SizeOf<FuseNotifyInvalInodeOut>());
        Assert.Equal(16, Unsafe.SizeOf<FuseNotifyInvalEntryOut>());
    }

    [Fact]
    public void The_opcode_table_has_a_handler_for_every_answered_opcode_and_none_for_the_rest()
    {
        FuseOpcode[] answered =
        [
            FuseOpcode.Init, FuseOpcode.Lookup, FuseOpcode.Forget, FuseOpcode.BatchForget, FuseOpcode.GetAttr,
            FuseOpcode.ReadLink, FuseOpcode.Open, FuseOpcode.OpenDir, FuseOpcode.Read, FuseOpcode.ReadDir,
            FuseOpcode.ReadDirPlus, FuseOpcode.Release, FuseOpcode.ReleaseDir, FuseOpcode.StatFs, FuseOpcode.GetXattr,
            FuseOpcode.ListXattr, FuseOpcode.Access, FuseOpcode.Destroy, FuseOpcode.NotifyReply,
        ];
        FuseOpcode[] readOnly = [(FuseOpcode)4, (FuseOpcode)6, (FuseOpcode)8, (FuseOpcode)9, (FuseOpcode)10, (FuseOpcode)11, (FuseOpcode)12, (FuseOpcode)13, (FuseOpcode)16, (FuseOpcode)21, (FuseOpcode)24, (FuseOpcode)35, (FuseOpcode)43, (FuseOpcode)45, (FuseOpcode)47, (FuseOpcode)51, (FuseOpcode)53];

        for (uint opcode = 0; opcode < 80; opcode++)
        {
            OpcodeEntry entry = OpcodeTable.Get(opcode);
            bool expected = answered.Contains((FuseOpcode)opcode) || readOnly.Contains((FuseOpcode)opcode);
            Assert.True(expected == entry.Handler is not null, $"opcode {opcode} ({entry.Name})");
            Assert.True(entry.MinimumBodySize >= 0);
            if (Enum.IsDefined((FuseOpcode)opcode) && opcode < OpcodeTable.Length)
            {
                Assert.Equal(((FuseOpcode)opcode).ToString().ToUpperInvariant(), entry.Name);
            }
        }

        Assert.Equal(FuseReadIn.Size, OpcodeTable.Get((uint)FuseOpcode.Read).MinimumBodySize);
        Assert.Equal(FuseInitIn.MinimumSize, OpcodeTable.Get((uint)FuseOpcode.Init).MinimumBodySize);
        Assert.Null(OpcodeTable.Get(4096).Handler);
    }

    [Fact]
    public void The_directory_writer_packs_aligned_whole_records_and_says_when_full()
    {
        var buffer = new byte[64];
        var writer = new FuseDirectoryWriter(buffer, plus: false);
        var entry = new FuseEntryOut { NodeId = 9 };
        entry.Attr.Ino = 9;
        entry.Attr.Mode = 0x8000 | 0x1A4;

        Assert.Equal(DirectoryAddResult.Added, writer.TryAdd("abc"u8, 1, in entry)); // 24 + 3 -> 32
        Assert.Equal(DirectoryAddResult.Added, writer.TryAdd("12345678"u8, 2, in entry)); // 24 + 8 -> 32
        Assert.Equal(DirectoryAddResult.Full, writer.TryAdd("x"u8, 3, in entry));
        Assert.Equal(64, writer.Length);
        Assert.Equal(2, writer.Count);
        Assert.Equal(9UL, BinaryPrimitives.ReadUInt64LittleEndian(buffer));
        Assert.Equal(1L, BinaryPrimitives.ReadInt64LittleEndian(buffer.AsSpan(8)));
        Assert.Equal(3u, BinaryPrimitives.ReadUInt32LittleEndian(buffer.AsSpan(16)));
        Assert.Equal(8u, BinaryPrimitives.ReadUInt32LittleEndian(buffer.AsSpan(20))); // DT_REG
        Assert.Equal(0, buffer[27]); // padding is zeroed
    }

    [Fact]
    public void Readdirplus_records_count_lookups_except_for_dot_entries()
    {
        var buffer = new byte[1024];
        var writer = new FuseDirectoryWriter(buffer, plus: true);
        var entry = new FuseEntryOut { NodeId = 5 };
        entry.Attr.Ino = 5;
        entry.Attr.Mode = 0x4000 | 0x1ED;

        Assert.Equal(DirectoryAddResult.Added, writer.TryAdd("."u8, 1, in entry));
        Assert.True(buffer.AsSpan(0, FuseEntryOut.Size).IndexOfAnyExcept((byte)0) < 0, "'.' must carry a zeroed entry");
        Assert.Equal(DirectoryAddResult.AddedWithLookup, writer.TryAdd("child"u8, 2, in entry));
        Assert.Equal(5UL, BinaryPrimitives.ReadUInt64LittleEndian(buffer.AsSpan(160)));
        entry.NodeId = 0;
        Assert.Equal(DirectoryAddResult.Added, writer.TryAdd("noid"u8, 3, in entry));
        Assert.Equal(3 * 160, writer.Length);

        Assert.Throws<ArgumentException>(() =>
        {
            var w = new FuseDirectoryWriter(new byte[256], plus: false);
            w.TryAdd("a/b"u8, 1, default);
        });
    }

    [Fact]
    public void InitResult_round_trips_and_rejects_garbage()
    {
        var result = new FuseInitResult(7, 45, 131072, FuseInitFlags.HasResend | FuseInitFlags.InitExt, FuseInitFlags.AsyncRead, 1 << 20, 256, 64, 48, 1);
        var bytes = new byte[FuseInitResult.SerializedSize];
        result.WriteTo(bytes);

        Assert.True(FuseInitResult.TryRead(bytes, out FuseInitResult back));
        Assert.Equal(result, back);
        Assert.True(back.SupportsResend);
        Assert.False(FuseInitResult.TryRead(bytes.AsSpan(0, 20), out _));
        bytes[0] ^= 0xFF;
        Assert.False(FuseInitResult.TryRead(bytes, out _));
    }

    [Fact]
    public void Timeouts_split_into_seconds_and_nanoseconds()
    {
        var entry = new FuseEntryOut { EntryTimeout = TimeSpan.FromMilliseconds(1500), AttrTimeout = TimeSpan.MaxValue };
        Assert.Equal((1UL, 500_000_000u), (entry.EntryValid, entry.EntryValidNsec));
        Assert.Equal(TimeSpan.FromMilliseconds(1500), entry.EntryTimeout);
        Assert.True(entry.AttrValid > 100UL * 365 * 86400);
        entry.EntryTimeout = TimeSpan.FromSeconds(-1);
        Assert.Equal((0UL, 0u), (entry.EntryValid, entry.EntryValidNsec));
    }

    [Fact]
    public void Mountinfo_lines_parse_with_escaped_paths()
    {
        MountEntry? entry = MountTable.Parse("97 29 0:52 / /tmp/with\\040space rw,nosuid,nodev,relatime shared:51 - fuse.distrid distrid rw,user_id=0,group_id=0");
        Assert.NotNull(entry);
        Assert.Equal((97, 0u, 52u), (entry.MountId, entry.DeviceMajor, entry.DeviceMinor));
        Assert.Equal("/tmp/with space", entry.MountPoint);
        Assert.Equal("fuse.distrid", entry.FileSystemType);
        Assert.Equal("distrid", entry.Source);
        Assert.Null(MountTable.Parse("garbage"));
        Assert.Null(MountTable.Parse("1 2 x:y / /a rw - t s o"));
    }
}
