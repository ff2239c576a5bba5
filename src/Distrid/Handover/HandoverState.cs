using System.Buffers.Binary;
using System.Runtime.InteropServices;
using Distrid.Fuse.Session;
using Distrid.Systemd;
using Microsoft.Win32.SafeHandles;

namespace Distrid.Handover;

/// <summary>
/// What a successor needs to serve the FUSE connection its predecessor mounted, kept in a memfd that sits in
/// systemd's fd store beside the /dev/fuse descriptor (FDNAME=fuse-state). A memfd rather than a file under /run:
/// it lives exactly as long as the stored connection (systemd drops both together), cannot be confused with a
/// leftover of an earlier boot or mount, needs no path, and survives SIGKILL because systemd holds a reference.
/// </summary>
/// <remarks>
/// Layout (little-endian): magic u32 "DRHS", version u32, committed u64 (bytes of records), connection id u32
/// (st_dev minor of the mount, so a successor can tell that the stored fd belongs to the mount at its mountpoint),
/// a u32 that is 1 once the connection is set, then <see cref="FuseInitResult"/> (48 bytes) at 24, records from
/// <see cref="RecordsOffset"/>. Appending writes the records first and the committed length last (one 8-byte
/// pwrite), so a daemon killed in between leaves a state whose committed part is whole.
/// </remarks>
public sealed class HandoverState : IDisposable
{
    private const uint Magic = 0x53485244; // "DRHS"
    private const uint Version = 1;
    private const int CommittedOffset = 8;
    private const int ConnectionOffset = 16;
    private const int InitOffset = 24;
    private const int RecordsOffset = 128;

    /// <summary>A state beyond this is not ours (the journal of a very long-lived daemon stays far below).</summary>
    private const long MaxRecordBytes = 1L << 30;

    private readonly SafeFileHandle _handle;
    private long _committed;

    private HandoverState(SafeFileHandle handle, long committed, uint connectionId, FuseInitResult? init)
    {
        _handle = handle;
        _committed = committed;
        ConnectionId = connectionId;
        Init = init;
    }

    /// <summary>The memfd, for FDSTORE.</summary>
    public int Fd => (int)_handle.DangerousGetHandle();

    /// <summary>The st_dev minor of the mount the stored connection serves (0 until <see cref="SetConnection"/>).</summary>
    public uint ConnectionId { get; private set; }

    /// <summary>What INIT negotiated on the stored connection; null until <see cref="SetConnection"/>.</summary>
    public FuseInitResult? Init { get; private set; }

    /// <summary>Creates an empty state in a new memfd (close-on-exec).</summary>
    public static HandoverState Create()
    {
        int fd = NativeMethods.MemfdCreate("distrid-fuse-state", NativeMethods.MfdCloExec);
        if (fd < 0)
        {
            throw new IOException($"memfd_create failed with errno {Marshal.GetLastPInvokeError()}");
        }

        var handle = new SafeFileHandle(fd, ownsHandle: true);
        Span<byte> header = stackalloc byte[RecordsOffset];
        header.Clear();
        BinaryPrimitives.WriteUInt32LittleEndian(header, Magic);
        BinaryPrimitives.WriteUInt32LittleEndian(header[4..], Version);
        RandomAccess.Write(handle, header, 0);
        return new HandoverState(handle, 0, 0, null);
    }

    /// <summary>
    /// Opens a state inherited from a predecessor (takes ownership of <paramref name="fd"/>). Returns null with a
    /// reason when it is not a complete state of this version.
    /// </summary>
    public static HandoverState? Open(int fd, out string? error)
    {
        var handle = new SafeFileHandle(fd, ownsHandle: true);
        try
        {
            long length = RandomAccess.GetLength(handle);
            Span<byte> header = stackalloc byte[RecordsOffset];
            if (length < RecordsOffset || RandomAccess.Read(handle, header, 0) != RecordsOffset)
            {
                error = "the state is shorter than its header";
            }
            else if (BinaryPrimitives.ReadUInt32LittleEndian(header) != Magic || BinaryPrimitives.ReadUInt32LittleEndian(header[4..]) != Version)
            {
                error = "the state has an unknown format";
            }
            else if (BinaryPrimitives.ReadInt64LittleEndian(header[CommittedOffset..]) is var committed
                && (committed < 0 || committed > MaxRecordBytes || committed > length - RecordsOffset))
            {
                error = "the state's committed length is impossible";
            }
            else if (BinaryPrimitives.ReadUInt32LittleEndian(header[(ConnectionOffset + 4)..]) != 1
                || !FuseInitResult.TryRead(header[InitOffset..], out var init))
            {
                error = "the state names no negotiated connection";
            }
            else
            {
                error = null;
                return new HandoverState(handle, committed, BinaryPrimitives.ReadUInt32LittleEndian(header[ConnectionOffset..]), init);
            }
        }
        catch (IOException e)
        {
            error = e.Message;
        }

        handle.Dispose();
        return null;
    }

    /// <summary>Records the mount's connection and what INIT negotiated (once, right after INIT).</summary>
    public void SetConnection(uint connectionId, FuseInitResult init)
    {
        Span<byte> block = stackalloc byte[8 + FuseInitResult.SerializedSize];
        BinaryPrimitives.WriteUInt32LittleEndian(block, connectionId);
        BinaryPrimitives.WriteUInt32LittleEndian(block[4..], 1);
        init.WriteTo(block[8..]);
        RandomAccess.Write(_handle, block, ConnectionOffset);
        ConnectionId = connectionId;
        Init = init;
    }

    /// <summary>Appends records and commits them (see the remarks for why a kill in between is harmless).</summary>
    public void Append(ReadOnlySpan<byte> records)
    {
        if (records.IsEmpty)
        {
            return;
        }

        RandomAccess.Write(_handle, records, RecordsOffset + _committed);
        _committed += records.Length;
        Span<byte> committed = stackalloc byte[8];
        BinaryPrimitives.WriteInt64LittleEndian(committed, _committed);
        RandomAccess.Write(_handle, committed, CommittedOffset);
    }

    /// <summary>Every committed record, in the order appended.</summary>
    public byte[] ReadRecords()
    {
        var records = new byte[_committed];
        int read = 0;
        while (read < records.Length)
        {
            int n = RandomAccess.Read(_handle, records.AsSpan(read), RecordsOffset + read);
            if (n <= 0)
            {
                throw new IOException("the state ended before its committed length");
            }

            read += n;
        }

        return records;
    }

    public void Dispose() => _handle.Dispose();
}
