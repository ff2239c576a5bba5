using System.Runtime.InteropServices;
using Distrid.Fuse.Protocol;

namespace Distrid.Fuse.Interop;

/// <summary>
/// Raw operations on a /dev/fuse file descriptor: open, clone, read one request, write one reply. Results are
/// byte counts or negative errno values so the hot path never throws.
/// </summary>
internal static unsafe class FuseDevice
{
    public const string Path = "/dev/fuse";

    /// <summary>Opens /dev/fuse; returns the fd or throws with the errno.</summary>
    public static int Open()
    {
        int fd = Libc.Open(Path, Libc.ORdWr | Libc.OCloExec);
        if (fd < 0)
        {
            throw Errno.Exception(Marshal.GetLastPInvokeError(), $"open {Path}");
        }

        return fd;
    }

    /// <summary>
    /// Opens a second fd on the same connection (FUSE_DEV_IOC_CLONE). Each fd has its own processing queue, so a
    /// request must be answered on the fd it was read from.
    /// </summary>
    public static int Clone(int masterFd)
    {
        int fd = Open();
        uint master = (uint)masterFd;
        if (Libc.Ioctl(fd, Libc.FuseDevIocClone, &master) != 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            Libc.Close(fd);
            throw Errno.Exception(errno, "ioctl FUSE_DEV_IOC_CLONE");
        }

        return fd;
    }

    /// <summary>
    /// Registers <paramref name="fileFd"/> as a passthrough backing file of the connection (FUSE_DEV_IOC_BACKING_OPEN;
    /// the kernel takes its own reference, so the caller may close its descriptor). Returns the backing id (at least
    /// 1) or a negative errno: EPERM without CAP_SYS_ADMIN or passthrough, ELOOP for a backing file system stacked too
    /// deep, ENOTTY on a kernel without the ioctl.
    /// </summary>
    public static int OpenBacking(int deviceFd, int fileFd)
    {
        // struct fuse_backing_map { int32 fd; uint32 flags; uint64 padding; }
        Span<int> map = stackalloc int[4];
        map.Clear();
        map[0] = fileFd;
        fixed (int* p = map)
        {
            int id = Libc.Ioctl(deviceFd, Libc.FuseDevIocBackingOpen, p);
            return id < 0 ? -Marshal.GetLastPInvokeError() : id;
        }
    }

    /// <summary>Drops a backing id (FUSE_DEV_IOC_BACKING_CLOSE); files opened through it keep their backing file.</summary>
    public static int CloseBacking(int deviceFd, int backingId)
    {
        uint id = (uint)backingId;
        return Libc.Ioctl(deviceFd, Libc.FuseDevIocBackingClose, &id) < 0 ? -Marshal.GetLastPInvokeError() : 0;
    }

    /// <summary>Reads one request; returns its length or a negative errno.</summary>
    public static int Read(int fd, NativeBuffer buffer)
    {
        nint n = Libc.Read(fd, buffer.Pointer, (nuint)buffer.Length);
        return n < 0 ? -Marshal.GetLastPInvokeError() : (int)n;
    }

    /// <summary>Writes one reply from the start of a buffer; returns 0 or a negative errno.</summary>
    public static int Write(int fd, NativeBuffer buffer, int length)
    {
        Libc.IoVec iov = new() { Base = buffer.Pointer, Length = (nuint)length };
        return Writev(fd, &iov, 1);
    }

    /// <summary>Writes one message gathered from several pieces in one writev(2); returns 0 or a negative errno.</summary>
    public static int Writev(int fd, Libc.IoVec* iov, int count)
    {
        nint n = Libc.Writev(fd, iov, count);
        return n < 0 ? -Marshal.GetLastPInvokeError() : 0;
    }

    /// <summary>Writes a message gathered from spans (used for notifications, off the hot path's buffers).</summary>
    public static int Write(int fd, ReadOnlySpan<byte> first, ReadOnlySpan<byte> second, ReadOnlySpan<byte> third)
    {
        fixed (byte* p1 = first)
        fixed (byte* p2 = second)
        fixed (byte* p3 = third)
        {
            Libc.IoVec* iov = stackalloc Libc.IoVec[3];
            int count = 0;
            if (first.Length > 0)
            {
                iov[count++] = new Libc.IoVec { Base = p1, Length = (nuint)first.Length };
            }

            if (second.Length > 0)
            {
                iov[count++] = new Libc.IoVec { Base = p2, Length = (nuint)second.Length };
            }

            if (third.Length > 0)
            {
                iov[count++] = new Libc.IoVec { Base = p3, Length = (nuint)third.Length };
            }

            return Writev(fd, iov, count);
        }
    }

    public static void Close(int fd)
    {
        if (fd >= 0)
        {
            Libc.Close(fd);
        }
    }
}
