using System.Runtime.InteropServices;

namespace Distrid.Fuse.Protocol;

/// <summary>fuse_open_out (16 bytes): the answer to OPEN/OPENDIR when a file system opts in to handles.</summary>
[StructLayout(LayoutKind.Sequential, Pack = 4)]
public struct FuseOpenOut
{
    public const int Size = 16;

    /// <summary>FOPEN_KEEP_CACHE: keep cached pages across opens (right for immutable files).</summary>
    public const uint KeepCache = 2;

    /// <summary>FOPEN_CACHE_DIR: let the kernel cache readdir results.</summary>
    public const uint CacheDir = 8;

    /// <summary>FOPEN_NOFLUSH: do not send FLUSH on close.</summary>
    public const uint NoFlush = 32;

    /// <summary>
    /// FOPEN_PASSTHROUGH (7.40): the kernel reads and maps the backing file registered as <see cref="BackingId"/>
    /// itself; no READ reaches the server for this open. Allowed only with DIRECT_IO and NOFLUSH, not KEEP_CACHE.
    /// </summary>
    public const uint Passthrough = 128;

    public ulong FileHandle;
    public uint OpenFlags;
    public int BackingId;
}
