using System.Globalization;
using Distrid.Fuse.Interop;
using Distrid.Fuse.Protocol;

namespace Distrid.Fuse.Mounting;

/// <summary>
/// A FUSE mount and the /dev/fuse descriptor that serves it. Created by <see cref="Mount"/> (fresh mount) or
/// <see cref="Adopt"/> (a descriptor inherited from a predecessor, e.g. systemd's fd store). Disposing unmounts
/// (lazily) unless <see cref="LeaveMountedOnDispose"/> is set, then closes the descriptor.
/// </summary>
public sealed partial class FuseMount : IDisposable
{
    private int _fd;
    private int _mounted;
    private readonly uint _deviceMajor;

    private FuseMount(int fd, string mountpoint, bool viaFusermount)
    {
        _fd = fd;
        Mountpoint = mountpoint;
        UsesFusermount = viaFusermount;
        _mounted = 1;
        MountEntry? entry = MountTable.Find(mountpoint);
        ConnectionId = entry?.DeviceMinor;
        _deviceMajor = entry?.DeviceMajor ?? 0;
    }

    /// <summary>The absolute mount point.</summary>
    public string Mountpoint { get; }

    /// <summary>The /dev/fuse descriptor of the connection (the "master"; readers clone it).</summary>
    public int DeviceFd => _fd;

    /// <summary>The connection number (st_dev minor): the directory name under /sys/fs/fuse/connections.</summary>
    public uint? ConnectionId { get; }

    public bool UsesFusermount { get; }

    /// <summary>True until <see cref="Unmount"/> ran.</summary>
    public bool IsMounted => Volatile.Read(ref _mounted) == 1;

    /// <summary>
    /// Keep the mount when disposing (only close the descriptor): for a handover where the descriptor lives on
    /// elsewhere, such as systemd's fd store.
    /// </summary>
    public bool LeaveMountedOnDispose { get; set; }

    /// <summary>
    /// Mounts a new FUSE file system at <paramref name="mountpoint"/>. As root: open /dev/fuse + mount(2) with
    /// MS_NOSUID|MS_NODEV (and MS_RDONLY); otherwise (or when asked) through fusermount3. The kernel queues
    /// requests until a session answers INIT, so start a session right away and do not touch the mount before.
    /// </summary>
    public static FuseMount Mount(string mountpoint, FuseMountOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        string target = MountTable.Normalize(mountpoint);
        bool viaFusermount = options.UseFusermount ?? !MountCalls.IsRoot;
        if (viaFusermount)
        {
            int fd = Fusermount.Mount(target, FusermountOptions(options));
            return new FuseMount(fd, target, viaFusermount: true);
        }

        int device = FuseDevice.Open();
        string data = string.Create(
            CultureInfo.InvariantCulture,
            $"fd={device},rootmode=40000,user_id={MountCalls.EffectiveUserId},group_id={MountCalls.EffectiveGroupId}");
        if (options.DefaultPermissions)
        {
            data += ",default_permissions";
        }

        if (options.AllowOther)
        {
            data += ",allow_other";
        }

        ulong flags = Libc.MsNoSuid | Libc.MsNoDev | (options.ReadOnly ? Libc.MsRdOnly : 0);
        int errno = MountCalls.Mount(options.Source, target, "fuse." + options.FileSystemName, flags, data);
        if (errno != 0)
        {
            FuseDevice.Close(device);
            throw Errno.Exception(errno, $"mount fuse.{options.FileSystemName} on {target}");
        }

        return new FuseMount(device, target, viaFusermount: false);
    }

    /// <summary>
    /// Takes over an already-mounted connection's descriptor (inherited from a predecessor daemon). The
    /// session started on it must be told the negotiated protocol (it will see no INIT).
    /// </summary>
    public static FuseMount Adopt(int fd, string mountpoint)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(fd);
        return new FuseMount(fd, MountTable.Normalize(mountpoint), viaFusermount: !MountCalls.IsRoot);
    }

    /// <summary>
    /// Lazily unmounts (MNT_DETACH, or fusermount3 -uz): the name disappears now; the connection ends when
    /// the last open file on it is closed, and then the readers see ENODEV. Idempotent.
    /// </summary>
    public void Unmount()
    {
        if (Interlocked.Exchange(ref _mounted, 0) == 0)
        {
            return;
        }

        if (UsesFusermount)
        {
            Fusermount.Unmount(Mountpoint);
            return;
        }

        int errno = MountCalls.DetachUnmount(Mountpoint);
        if (errno != 0 && errno != Errno.EINVAL && errno != Errno.ENOENT)
        {
            throw Errno.Exception(errno, $"umount2 {Mountpoint}");
        }
    }

    /// <summary>
    /// Unmounts only if nothing uses the mount (umount2 without MNT_DETACH): returns false while a file under it is
    /// open or mapped, or it holds some process's working directory or root (EBUSY). The kernel knows this for every
    /// process; /proc would need CAP_SYS_PTRACE to tell. With fusermount3, unmounts lazily and returns true.
    /// </summary>
    public bool TryUnmountUnused()
    {
        if (UsesFusermount || !IsMounted)
        {
            Unmount();
            return true;
        }

        int errno = MountCalls.Unmount(Mountpoint);
        if (errno == Errno.EBUSY)
        {
            return false;
        }

        Interlocked.Exchange(ref _mounted, 0);
        if (errno != 0 && errno != Errno.EINVAL && errno != Errno.ENOENT)
        {
            throw Errno.Exception(errno, $"umount2 {Mountpoint}");
        }

        return true;
    }

    /// <summary>
    /// Sets the kernel readahead of this mount (/sys/class/bdi/MAJ:MIN/read_ahead_kb, root only). INIT can only
    /// lower the kernel's offer (128 KiB); raising it to 1 MiB lets sequential reads arrive as 1 MiB READs.
    /// Returns false when the setting could not be written.
    /// </summary>
    public bool TrySetReadahead(int kilobytes)
    {
        if (ConnectionId is not uint minor || kilobytes <= 0)
        {
            return false;
        }

        string path = $"/sys/class/bdi/{_deviceMajor}:{minor}/read_ahead_kb";
        try
        {
            File.WriteAllText(path, kilobytes.ToString(CultureInfo.InvariantCulture));
            return true;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    public void Dispose()
    {
        if (!LeaveMountedOnDispose)
        {
            Unmount();
        }

        int fd = Interlocked.Exchange(ref _fd, -1);
        FuseDevice.Close(fd);
    }

    private static string FusermountOptions(FuseMountOptions options)
    {
        var parts = new List<string> { "nosuid", "nodev", options.ReadOnly ? "ro" : "rw" };
        if (options.DefaultPermissions)
        {
            parts.Add("default_permissions");
        }

        if (options.AllowOther)
        {
            parts.Add("allow_other");
        }

        parts.Add("fsname=" + options.Source.Replace(",", "\\,", StringComparison.Ordinal));
        parts.Add("subtype=" + options.FileSystemName);
        return string.Join(',', parts);
    }
}
