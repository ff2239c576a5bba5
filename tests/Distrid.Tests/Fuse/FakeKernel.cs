using System.Buffers.Binary;
using System.Runtime.InteropServices;
using Distrid.Fuse.Interop;
using Distrid.Fuse.Mounting;
using Distrid.Fuse.Protocol;
using Distrid.Fuse.Session;

namespace Distrid.Tests.Fuse;

/// <summary>
/// Plays the kernel's side of a connection over a SOCK_SEQPACKET socketpair (one message per read, like
/// /dev/fuse), so tests can send malformed or unusual requests and inspect raw replies without root.
/// </summary>
internal sealed partial class FakeKernel : IDisposable
{
    private const int SoReceiveTimeout = 20;

    private const int SockSeqPacket = 5;

    private readonly int _kernelFd;
    private readonly NativeBuffer _buffer = new(FuseSession.BufferSize);
    private readonly string _directory;
    private ulong _unique = 100;

    private FakeKernel(int kernelFd, int serverFd, string directory)
    {
        _kernelFd = kernelFd;
        ServerFd = serverFd;
        _directory = directory;
    }

    public int ServerFd { get; }

    public FuseSession Session { get; private set; } = null!;

    public static FakeKernel Create()
    {
        int[] pair = new int[2];
        unsafe
        {
            fixed (int* fds = pair)
            {
                if (Libc.SocketPair(Libc.AfUnix, SockSeqPacket | Libc.SockCloExec, 0, fds) != 0)
                {
                    throw new InvalidOperationException("socketpair failed");
                }
            }
        }

        // A reply that never comes fails the test after 10 s instead of hanging it.
        long[] timeout = [10, 0];
        unsafe
        {
            fixed (long* value = timeout)
            {
                _ = SetSockOpt(pair[0], Libc.SolSocket, SoReceiveTimeout, value, sizeof(long) * 2);
            }
        }

        return new FakeKernel(pair[0], pair[1], Directory.CreateTempSubdirectory("distrid-fake-kernel-").FullName);
    }

    /// <summary>A session that believes INIT already happened (no sysfs, one reader: sockets cannot be cloned).</summary>
    public FuseSession Resume(MemoryFileSystem fs, FuseInitResult negotiated)
    {
        Session = FuseSession.Resume(FuseMount.Adopt(ServerFd, _directory), fs, negotiated, Options);
        return Session;
    }

    public FuseSession Start(MemoryFileSystem fs, FuseSessionOptions? options = null)
    {
        Session = FuseSession.Start(FuseMount.Adopt(ServerFd, _directory), fs, options ?? Options);
        return Session;
    }

    public static FuseSessionOptions Options { get; } = new() { ReaderThreads = 1, ReadaheadKilobytes = null };

    public static FuseInitResult Negotiated(bool resend = false) => new(
        7, 45, 131072, resend ? FuseInitFlags.HasResend : FuseInitFlags.None, FuseInitFlags.AsyncRead, 1 << 20, 256, 64, 48, 1);

    /// <summary>Sends one request; <paramref name="declaredLength"/> overrides the header's length field.</summary>
    public ulong Send(uint opcode, ulong nodeId, ReadOnlySpan<byte> body, uint? declaredLength = null)
    {
        ulong unique = ++_unique;
        Span<byte> header = stackalloc byte[FuseInHeader.Size];
        header.Clear();
        BinaryPrimitives.WriteUInt32LittleEndian(header, declaredLength ?? (uint)(FuseInHeader.Size + body.Length));
        BinaryPrimitives.WriteUInt32LittleEndian(header[4..], opcode);
        BinaryPrimitives.WriteUInt64LittleEndian(header[8..], unique);
        BinaryPrimitives.WriteUInt64LittleEndian(header[16..], nodeId);
        SendRaw(header, body);
        return unique;
    }

    public void SendRaw(ReadOnlySpan<byte> first, ReadOnlySpan<byte> second = default)
    {
        if (FuseDevice.Write(_kernelFd, first, second, default) != 0)
        {
            throw new InvalidOperationException("write to the fake connection failed");
        }
    }

    /// <summary>Receives one reply or notification: (unique, error, payload).</summary>
    public (ulong Unique, int Error, byte[] Payload) Receive()
    {
        int length = FuseDevice.Read(_kernelFd, _buffer);
        if (length == -Errno.EAGAIN)
        {
            throw new TimeoutException("no reply from the session");
        }

        if (length < FuseOutHeader.Size)
        {
            throw new InvalidOperationException($"short reply ({length})");
        }

        ReadOnlySpan<byte> message = _buffer.Span[..length];
        Assert.Equal((uint)length, BinaryPrimitives.ReadUInt32LittleEndian(message));
        return (BinaryPrimitives.ReadUInt64LittleEndian(message[8..]), BinaryPrimitives.ReadInt32LittleEndian(message[4..]), message[FuseOutHeader.Size..].ToArray());
    }

    public (int Error, byte[] Payload) Call(FuseOpcode opcode, ulong nodeId, ReadOnlySpan<byte> body)
    {
        ulong unique = Send((uint)opcode, nodeId, body);
        (ulong replyUnique, int error, byte[] payload) = Receive();
        Assert.Equal(unique, replyUnique);
        return (error, payload);
    }

    public static byte[] ReadIn(ulong offset, uint size)
    {
        var body = new byte[FuseReadIn.Size];
        BinaryPrimitives.WriteUInt64LittleEndian(body.AsSpan(8), offset);
        BinaryPrimitives.WriteUInt32LittleEndian(body.AsSpan(16), size);
        return body;
    }

    public static byte[] Name(string name) => [.. System.Text.Encoding.UTF8.GetBytes(name), 0];

    [LibraryImport("libc", EntryPoint = "setsockopt")]
    private static unsafe partial int SetSockOpt(int fd, int level, int name, void* value, int length);

    public void Dispose()
    {
        // End of stream makes the reader exit; then the session closes its side.
        Libc.Close(_kernelFd);
        Session?.Dispose();
        _buffer.Dispose();
        Directory.Delete(_directory);
    }
}
